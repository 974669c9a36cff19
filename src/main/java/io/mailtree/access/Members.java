package io.mailtree.access;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import io.mailtree.shared.Times;
import io.mailtree.shared.UserId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Who has access to an account (D-21): its owner, and the collaborators holding a grant on it with
 * their permissions (D-23). Grants are read on every request ({@link #accessesOf(User)}), so a change
 * or a revocation applies on the collaborator's very next one, on every node (D-24). Every change is
 * audit-logged with the acting person and the account acted on (D-32).
 */
@Service
public class Members {

    /** Last activity is written at most this often per person and account, not on every request. */
    static final Duration ACTIVITY_RESOLUTION = Duration.ofMinutes(1);

    private final JdbcClient jdbc;
    private final AccountTree accounts;
    private final AuditLog audit;
    private final Clock clock;

    Members(JdbcClient jdbc, AccountTree accounts, AuditLog audit, Clock clock) {
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.audit = audit;
        this.clock = clock;
    }

    /** One person with access to an account. {@code invitedBy} and {@code lastActive} are null for the owner. */
    public record Member(UserId userId, String email, String name, boolean owner, Set<Permission> permissions,
            String invitedBy, Instant since, Instant lastActive) {
    }

    /** One account a person may work in, with what they may do there. */
    public record Access(AccountId accountId, Set<Permission> permissions, boolean owner) {
    }

    /** Everyone with access to {@code account}, owner first, as seen by a caller who administers it. */
    public List<Member> of(Caller caller, AccountId account) {
        requireAdministers(caller, account);
        List<Member> members = new ArrayList<>(jdbc.sql("""
                select id, email, display_name, created_at from app_user
                where account_id = ? and role = 'OWNER' order by created_at""").param(account.value())
                .query((rs, n) -> new Member(new UserId(rs.getObject("id", UUID.class)), rs.getString("email"),
                        rs.getString("display_name"), true, Permission.all(), null, Times.instant(rs, "created_at"), null))
                .list());
        members.addAll(jdbc.sql("""
                select u.id, u.email, u.display_name, m.permissions, m.invited_by, m.created_at, m.last_active_at
                from membership m join app_user u on u.id = m.user_id
                where m.account_id = ? order by m.created_at, u.email""").param(account.value())
                .query((rs, n) -> new Member(new UserId(rs.getObject("id", UUID.class)), rs.getString("email"),
                        rs.getString("display_name"), false, PermissionSets.parseStored(rs.getString("permissions")),
                        rs.getString("invited_by"), Times.instant(rs, "created_at"), Times.instant(rs, "last_active_at")))
                .list());
        return members;
    }

    /**
     * Changes a collaborator's rights on {@code account}; applies on their next request (D-24).
     *
     * @throws DomainProblem {@code member_not_found} (404) when the person holds no grant there,
     *                       {@code owner_rights_fixed} for the owner, {@code cannot_grant_more} past the caller's own
     */
    @Transactional
    public Member change(Caller caller, AccountId account, UserId member, Set<Permission> permissions) {
        requireAdministers(caller, account);
        requireGrantable(caller, permissions);
        Member current = requireCollaborator(caller, account, member);
        jdbc.sql("update membership set permissions = ?, changed_at = ? where account_id = ? and user_id = ?")
                .params(PermissionSets.stored(permissions), Times.sql(clock.instant()), account.value(), member.value())
                .update();
        audit.record(caller, rootOf(account), account, "access.changed", "user", member.toString(),
                current.email() + ": " + PermissionSets.stored(current.permissions()) + " -> "
                        + PermissionSets.stored(permissions));
        return new Member(current.userId(), current.email(), current.name(), false, Set.copyOf(permissions),
                current.invitedBy(), current.since(), current.lastActive());
    }

    /** Withdraws a collaborator's access to {@code account}; their next request there signs them out (D-24). */
    @Transactional
    public void revoke(Caller caller, AccountId account, UserId member) {
        requireAdministers(caller, account);
        Member current = requireCollaborator(caller, account, member);
        jdbc.sql("delete from membership where account_id = ? and user_id = ?").params(account.value(), member.value())
                .update();
        audit.record(caller, rootOf(account), account, "access.revoked", "user", member.toString(), current.email());
    }

    /** The accounts a person may work in, now: their own (as owner) and every grant they hold. */
    public List<Access> accessesOf(User user) {
        List<Access> accesses = new ArrayList<>();
        if (user.role() == UserRole.OWNER) {
            accesses.add(new Access(user.accountId(), Permission.all(), true));
        }
        accesses.addAll(jdbc.sql("select account_id, permissions from membership where user_id = ? order by created_at")
                .param(user.id().value())
                .query((rs, n) -> new Access(new AccountId(rs.getObject("account_id", UUID.class)),
                        PermissionSets.parseStored(rs.getString("permissions")), false))
                .list());
        return accesses;
    }

    /** Notes that a collaborator worked in an account, at most once a minute. */
    public void touch(UserId user, AccountId account) {
        Instant now = clock.instant();
        jdbc.sql("""
                update membership set last_active_at = ?
                where account_id = ? and user_id = ? and (last_active_at is null or last_active_at < ?)""")
                .params(Times.sql(now), account.value(), user.value(), Times.sql(now.minus(ACTIVITY_RESOLUTION)))
                .update();
    }

    /** Whether the person already has access to the account (as owner or collaborator). */
    boolean hasAccess(String emailKey, AccountId account) {
        return jdbc.sql("""
                select count(*) from app_user u where u.email_key = ? and (
                    (u.role = 'OWNER' and u.account_id = ?)
                    or exists (select 1 from membership m where m.user_id = u.id and m.account_id = ?))""")
                .params(emailKey, account.value(), account.value()).query(Long.class).single() > 0;
    }

    void add(AccountId account, UserId user, Set<Permission> permissions, String invitedBy) {
        Instant now = clock.instant();
        jdbc.sql("""
                insert into membership (account_id, user_id, permissions, invited_by, created_at, changed_at)
                values (?, ?, ?, ?, ?, ?)""")
                .params(account.value(), user.value(), PermissionSets.stored(permissions), invitedBy, Times.sql(now),
                        Times.sql(now))
                .update();
    }

    /**
     * The accounts a caller administers (permission {@code USERS}): the one it acts on and, for a
     * master's caller who also holds {@code SUBACCOUNTS}, each of its sub-accounts. Anything else,
     * a sibling or a master seen from a sub-account included, answers 404 as if it did not exist (D-22).
     */
    void requireAdministers(Caller caller, AccountId account) {
        if (!caller.has(Permission.USERS)) {
            throw DomainProblem.forbidden("permission_denied", "the permission USERS is required", "USERS");
        }
        if (account.equals(caller.accountId())) {
            return;
        }
        if (caller.master() && caller.has(Permission.SUBACCOUNTS)) {
            Optional<Account> sub = accounts.find(account).filter(a -> caller.accountId().equals(a.parentId()));
            if (sub.isPresent()) {
                return;
            }
        }
        throw DomainProblem.notFound("account_not_found", "account");
    }

    /** Nobody hands out a right they do not hold themselves. */
    static void requireGrantable(Caller caller, Set<Permission> permissions) {
        for (Permission permission : permissions) {
            if (!caller.has(permission)) {
                throw DomainProblem.forbidden("cannot_grant_more",
                        "you cannot grant " + permission + ", which you do not hold", permission.name());
            }
        }
        if (permissions.isEmpty()) {
            throw DomainProblem.invalid("no_permissions", "choose at least one permission").with("field", "permissions");
        }
    }

    private Member requireCollaborator(Caller caller, AccountId account, UserId member) {
        return of(caller, account).stream().filter(m -> m.userId().equals(member)).findFirst()
                .map(m -> {
                    if (m.owner()) {
                        throw DomainProblem.conflict("owner_rights_fixed", "the owner holds every right");
                    }
                    return m;
                })
                .orElseThrow(() -> DomainProblem.notFound("member_not_found", "member"));
    }

    private AccountId rootOf(AccountId account) {
        return accounts.require(account).rootId();
    }
}
