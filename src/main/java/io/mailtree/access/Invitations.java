package io.mailtree.access;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.audit.AuditLog;
import io.mailtree.notifications.SystemMail;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.FieldChecks;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.Ids;
import io.mailtree.shared.Permission;
import io.mailtree.shared.Secrets;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Invitations of collaborators (D-21): an e-mail to the master or to one of its sub-accounts with a
 * set of permissions (D-23). The e-mailed link is signed, expires after {@link #VALIDITY} and works
 * once: it is bound to a random value that changes when the invitation is resent and disappears
 * when it is accepted or cancelled. A new person sets a name and a password; someone who already
 * signs in to Mailtree gets the account added to their list.
 */
@Service
public class Invitations {

    public static final Duration VALIDITY = Duration.ofDays(7);
    static final String TOKEN_PURPOSE = "invite";

    private static final RowMapper<Invitation> MAPPER = (rs, n) -> new Invitation(rs.getObject("id", UUID.class),
            new AccountId(rs.getObject("account_id", UUID.class)), rs.getString("email"),
            PermissionSets.parseStored(rs.getString("permissions")), rs.getString("invited_by"),
            Times.instant(rs, "created_at"), Times.instant(rs, "sent_at"), Times.instant(rs, "expires_at"),
            Times.instant(rs, "accepted_at"), Times.instant(rs, "cancelled_at"));

    private final JdbcClient jdbc;
    private final Members members;
    private final Users users;
    private final AccountTree accounts;
    private final SignedTokens tokens;
    private final SystemMail mail;
    private final MessageSource messages;
    private final AuditLog audit;
    private final Clock clock;
    private final String baseUrl;

    Invitations(JdbcClient jdbc, Members members, Users users, AccountTree accounts, SignedTokens tokens,
            SystemMail mail, MessageSource messages, AuditLog audit, Clock clock,
            @Value("${mailtree.base-url}") String baseUrl) {
        this.jdbc = jdbc;
        this.members = members;
        this.users = users;
        this.accounts = accounts;
        this.tokens = tokens;
        this.mail = mail;
        this.messages = messages;
        this.audit = audit;
        this.clock = clock;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** An invitation and where it stands. */
    public record Invitation(UUID id, AccountId accountId, String email, Set<Permission> permissions, String invitedBy,
            Instant createdAt, Instant sentAt, Instant expiresAt, Instant acceptedAt, Instant cancelledAt) {

        public Status status(Instant now) {
            if (acceptedAt != null) {
                return Status.ACCEPTED;
            }
            if (cancelledAt != null) {
                return Status.CANCELLED;
            }
            return expiresAt.isAfter(now) ? Status.OPEN : Status.EXPIRED;
        }

        /** Whether the inviter may still resend or cancel it. */
        public boolean pending() {
            return acceptedAt == null && cancelledAt == null;
        }
    }

    /** Where an invitation stands. */
    public enum Status {
        OPEN, EXPIRED, ACCEPTED, CANCELLED
    }

    /**
     * Invites {@code email} to {@code account} (the caller's own, or one of its sub-accounts for a master).
     *
     * @throws DomainProblem {@code invalid_email}, {@code no_permissions}, {@code cannot_grant_more},
     *                       {@code already_member}, {@code already_invited}, {@code account_not_found}
     */
    @Transactional
    public Invitation invite(Caller caller, AccountId account, String email, Set<Permission> permissions) {
        return invite(caller, account, email, () -> permissions, "permissions");
    }

    /**
     * {@link #invite(Caller, AccountId, String, Set)} with the rights as the form or the request names
     * them: {@code permissionNames} when there are any, otherwise {@code preset}'s. An unknown name is
     * refused together with the address's refusal, each under its field (email, preset, permissions).
     */
    @Transactional
    public Invitation invite(Caller caller, AccountId account, String email, String preset,
            Collection<String> permissionNames) {
        boolean byPreset = permissionNames == null || permissionNames.stream().allMatch(n -> n == null || n.isBlank());
        return invite(caller, account, email, () -> byPreset ? PermissionSets.fromNames(preset, List.of())
                : PermissionSets.fromNames(null, permissionNames), byPreset ? "preset" : "permissions");
    }

    private Invitation invite(Caller caller, AccountId account, String email, Supplier<Set<Permission>> rights,
            String rightsField) {
        members.requireAdministers(caller, account);
        Account target = accounts.require(account);
        if (!target.isActive()) {
            throw new io.mailtree.accounts.SubaccountInactive(target.name());
        }
        // Every field checked before any is refused, so one answer names all that is wrong.
        FieldChecks checks = new FieldChecks();
        String normalised = checks.check("email", () -> EmailAddresses.normalise(email));
        Set<Permission> permissions = checks.check(rightsField, rights);
        if (permissions != null) {
            checks.checkThat("permissions", () -> Members.requireGrantable(caller, permissions));
        }
        String key = normalised == null ? null : EmailAddresses.loginKey(normalised);
        Instant now = clock.instant();
        if (key != null && members.hasAccess(key, account)) {
            checks.add("email", DomainProblem.conflict("already_member", "this person already has access to the account"));
        } else if (key != null && jdbc.sql("""
                select count(*) from invitation where account_id = ? and email_key = ?
                and accepted_at is null and cancelled_at is null and expires_at > ?""")
                .params(account.value(), key, Times.sql(now)).query(Long.class).single() > 0) {
            checks.add("email", DomainProblem.conflict("already_invited",
                    "this address has an open invitation: resend it instead"));
        }
        checks.throwIfAny();
        UUID id = UUID.randomUUID();
        String nonce = Secrets.base64Url(Secrets.randomBytes(24));
        jdbc.sql("""
                insert into invitation (id, account_id, email, email_key, permissions, invited_by, link_nonce,
                    created_at, sent_at, expires_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(id, account.value(), normalised, key, PermissionSets.stored(permissions), caller.actor(), nonce,
                        Times.sql(now), Times.sql(now), Times.sql(now.plus(VALIDITY)))
                .update();
        Invitation invitation = find(id).orElseThrow();
        sendLink(invitation, target, nonce, caller.actor());
        audit.record(caller, target.rootId(), account, "access.invited", "invitation", id.toString(),
                normalised + ": " + PermissionSets.stored(permissions));
        return invitation;
    }

    /** The invitations of an account the caller administers, newest first. */
    public List<Invitation> of(Caller caller, AccountId account) {
        members.requireAdministers(caller, account);
        return jdbc.sql("select * from invitation where account_id = ? order by created_at desc limit 200")
                .param(account.value()).query(MAPPER).list();
    }

    /** Sends the invitation again with a fresh link (the older ones stop working) and a fresh expiry. */
    @Transactional
    public Invitation resend(Caller caller, UUID id) {
        Invitation invitation = requirePending(caller, id);
        Instant now = clock.instant();
        String nonce = Secrets.base64Url(Secrets.randomBytes(24));
        jdbc.sql("update invitation set link_nonce = ?, sent_at = ?, expires_at = ? where id = ?")
                .params(nonce, Times.sql(now), Times.sql(now.plus(VALIDITY)), id).update();
        Account target = accounts.require(invitation.accountId());
        sendLink(invitation, target, nonce, caller.actor());
        audit.record(caller, target.rootId(), target.id(), "access.invitation_resent", "invitation", id.toString(),
                invitation.email());
        return find(id).orElseThrow();
    }

    /** Cancels an invitation: its link stops working at once. */
    @Transactional
    public void cancel(Caller caller, UUID id) {
        Invitation invitation = requirePending(caller, id);
        jdbc.sql("update invitation set cancelled_at = ?, link_nonce = null where id = ?")
                .params(Times.sql(clock.instant()), id).update();
        audit.record(caller, accounts.require(invitation.accountId()).rootId(), invitation.accountId(),
                "access.invitation_cancelled", "invitation", id.toString(), invitation.email());
    }

    /** The open invitation a link stands for; empty for a forged, expired, used, resent or cancelled link. */
    public Optional<Invitation> byLink(String token) {
        return tokens.verify(token, TOKEN_PURPOSE, subject -> Ids.parseUuid(subject)
                        .flatMap(id -> jdbc.sql("select link_nonce from invitation where id = ?").param(id)
                                .query(String.class).optional())
                        .orElse(null))
                .flatMap(Ids::parseUuid).flatMap(this::find)
                .filter(i -> i.status(clock.instant()) == Status.OPEN);
    }

    /** Whether the invited address already signs in to Mailtree (then accepting needs no name or password). */
    public boolean inviteeExists(Invitation invitation) {
        return users.findByEmail(invitation.email()).isPresent();
    }

    /** The name of the account an invitation opens, for its page. */
    public String accountName(Invitation invitation) {
        return accounts.require(invitation.accountId()).name();
    }

    /**
     * Accepts an invitation through its link: creates the person if new (name and password), then the
     * grant. Answers the person, or empty when the link is no longer valid.
     *
     * @throws DomainProblem {@code invalid_name} or {@code invalid_password} for a new person's bad input
     */
    @Transactional
    public Optional<User> accept(String token, String name, String password, String address) {
        Optional<Invitation> found = byLink(token);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Invitation invitation = found.get();
        // Taken under a row lock: two clicks on one link grant once.
        Integer claimed = jdbc.sql("update invitation set accepted_at = ?, link_nonce = null where id = ? and accepted_at is null and cancelled_at is null")
                .params(Times.sql(clock.instant()), invitation.id()).update();
        if (claimed == 0) {
            return Optional.empty();
        }
        User user = users.findByEmail(invitation.email())
                .orElseGet(() -> users.createCollaborator(invitation.accountId(), invitation.email(), name, password));
        if (!members.hasAccess(EmailAddresses.loginKey(user.email()), invitation.accountId())) {
            members.add(invitation.accountId(), user.id(), invitation.permissions(), invitation.invitedBy());
        }
        audit.recordSelf(user.email(), address, accounts.require(invitation.accountId()).rootId(),
                invitation.accountId(), "access.granted");
        return Optional.of(user);
    }

    private Invitation requirePending(Caller caller, UUID id) {
        Invitation invitation = find(id).orElseThrow(() -> DomainProblem.notFound("invitation_not_found", "invitation"));
        try {
            members.requireAdministers(caller, invitation.accountId());
        } catch (DomainProblem elsewhere) {
            if (elsewhere.status() == 404) {
                // Another account's invitation is as unknown as a missing one (D-22).
                throw DomainProblem.notFound("invitation_not_found", "invitation");
            }
            throw elsewhere;
        }
        if (!invitation.pending()) {
            throw DomainProblem.conflict("invitation_closed", "this invitation was already accepted or cancelled");
        }
        return invitation;
    }

    private Optional<Invitation> find(UUID id) {
        return jdbc.sql("select * from invitation where id = ?").param(id).query(MAPPER).optional();
    }

    private void sendLink(Invitation invitation, Account target, String nonce, String inviter) {
        String link = baseUrl + "/invitations/accept?token="
                + tokens.issue(TOKEN_PURPOSE, invitation.id().toString(), nonce, VALIDITY);
        var locale = LocaleContextHolder.getLocale();
        mail.send(invitation.email(),
                messages.getMessage("mail.invite.subject", new Object[] {target.name()}, locale),
                messages.getMessage("mail.invite.body", new Object[] {inviter, target.name(), link,
                        VALIDITY.toDays()}, locale));
    }
}
