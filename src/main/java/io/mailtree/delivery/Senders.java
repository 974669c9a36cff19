package io.mailtree.delivery;

import io.mailtree.shared.Caller;
import io.mailtree.audit.AuditLog;
import io.mailtree.access.SignedTokens;
import io.mailtree.notifications.MailRequestLimits;
import io.mailtree.notifications.SystemMail;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.FieldChecks;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Sender addresses. Adding one e-mails a signed confirmation link to it (valid 3 days); mail from
 * an address that has not confirmed is refused by the send paths. Confirmation mail is limited per
 * address and per account ({@link MailRequestLimits}).
 */
@Service
public class Senders {

    public static final int MAX_SENDERS = 200;
    static final Duration LINK_VALIDITY = Duration.ofDays(3);

    static final RowMapper<Sender> MAPPER = (rs, n) -> new Sender(rs.getLong("id"), rs.getString("email"),
            rs.getString("name"), Times.instant(rs, "verified_at"), Times.instant(rs, "created_at"));

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final SignedTokens tokens;
    private final SystemMail mail;
    private final MessageSource messages;
    private final Clock clock;
    private final String baseUrl;
    private final MailRequestLimits limits;

    Senders(JdbcClient jdbc, AuditLog audit, SignedTokens tokens, SystemMail mail, MessageSource messages, Clock clock,
            @Value("${mailtree.base-url}") String baseUrl, MailRequestLimits limits) {
        this.limits = limits;
        this.jdbc = jdbc;
        this.audit = audit;
        this.tokens = tokens;
        this.mail = mail;
        this.messages = messages;
        this.clock = clock;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    public List<Sender> of(AccountId account) {
        return jdbc.sql("select * from sender where account_id = ? order by email_key").param(account.value())
                .query(MAPPER).list();
    }

    public Sender get(AccountId account, long id) {
        return jdbc.sql("select * from sender where account_id = ? and id = ?").params(account.value(), id)
                .query(MAPPER).optional().orElseThrow(() -> DomainProblem.notFound("sender_not_found", "sender"));
    }

    @Transactional
    public Sender add(AccountId account, String email, String name) {
        FieldChecks checks = new FieldChecks();
        String address = checks.check("email", () -> EmailAddresses.normalise(email));
        checks.checkThat("name", () -> checkName(name));
        checks.throwIfAny();
        if (of(account).size() >= MAX_SENDERS) {
            throw DomainProblem.conflict("too_many_senders", "an account has at most " + MAX_SENDERS + " senders",
                    MAX_SENDERS);
        }
        String key = EmailAddresses.contactKey(address);
        try {
            jdbc.sql("insert into sender (account_id, email, email_key, name, created_at) values (?, ?, ?, ?, ?)")
                    .params(account.value(), address, key, name == null || name.isBlank() ? null : name.strip(),
                            Times.sql(clock.instant()))
                    .update();
        } catch (DuplicateKeyException exists) {
            throw DomainProblem.conflict("sender_exists", "this sender is already registered").with("field", "email");
        }
        Sender sender = jdbc.sql("select * from sender where account_id = ? and email_key = ?")
                .params(account.value(), key).query(MAPPER).single();
        // Limited like a resend (the insert above rolls back when refused): adding and removing an
        // address again and again must not flood it.
        sendConfirmation(account, sender);
        return sender;
    }

    /** A sender's display name: optional, at most 100 characters, no line breaks (it goes into a header). */
    public static void checkName(String name) {
        if (name != null && (name.length() > 100 || name.chars().anyMatch(c -> c == '\r' || c == '\n'))) {
            throw DomainProblem.invalid("invalid_header", "a sender name has at most 100 characters and no line breaks")
                    .with("field", "name");
        }
    }

    @Transactional
    public void resendConfirmation(AccountId account, long id) {
        Sender sender = get(account, id);
        if (!sender.isVerified()) {
            sendConfirmation(account, sender);
        }
    }

    @Transactional
    public void remove(AccountId account, long id) {
        get(account, id);
        jdbc.sql("delete from sender where account_id = ? and id = ?").params(account.value(), id).update();
    }

    /** The sender a valid confirmation link names, without confirming it; empty for a bad link. */
    public Optional<Sender> senderOfLink(String token) {
        return tokens.verify(token, "sender", subject -> find(subject).map(Sender::email).orElse(null))
                .flatMap(this::find);
    }

    /** Confirms the sender of a signed link; empty for a forged, altered or expired one. */
    @Transactional
    public Optional<Sender> confirm(String token) {
        return tokens.verify(token, "sender", subject -> find(subject).map(Sender::email).orElse(null))
                .flatMap(this::find)
                .map(sender -> {
                    jdbc.sql("update sender set verified_at = ? where id = ? and verified_at is null")
                            .params(Times.sql(clock.instant()), sender.id()).update();
                    return jdbc.sql("select * from sender where id = ?").param(sender.id()).query(MAPPER).single();
                });
    }

    /** Whether the account may send from this address (it is one of its confirmed senders). */
    public boolean isVerified(AccountId account, String email) {
        String key = EmailAddresses.contactKey(EmailAddresses.normalise(email));
        return jdbc.sql("select count(*) from sender where account_id = ? and email_key = ? and verified_at is not null")
                .params(account.value(), key).query(Long.class).single() > 0;
    }

    private Optional<Sender> find(String subject) {
        try {
            return jdbc.sql("select * from sender where id = ?").param(Long.parseLong(subject)).query(MAPPER).optional();
        } catch (NumberFormatException notNumber) {
            return Optional.empty();
        }
    }

    private void sendConfirmation(AccountId account, Sender sender) {
        limits.acquire("sender-confirmation", sender.email(), "account:" + account.value());
        String link = baseUrl + "/senders/confirm?token="
                + tokens.issue("sender", String.valueOf(sender.id()), sender.email(), LINK_VALIDITY);
        mail.send(sender.email(), messages.getMessage("mail.sender.subject", null, "Confirm your sender address",
                LocaleContextHolder.getLocale()),
                messages.getMessage("mail.sender.body", new Object[] {sender.email(), link},
                        "Confirm that Mailtree may send from " + sender.email() + ":\n" + link,
                        LocaleContextHolder.getLocale()));
    }

    // --- The administrative acts of D-32: the same changes, written to the audit log in their transaction.

    /** Adds a sender as {@code caller}'s act, audited. */
    @Transactional
    public Sender add(Caller caller, String email, String name) {
        Sender added = add(caller.accountId(), email, name);
        audit.record(caller, "sender.added", "sender", String.valueOf(added.id()), added.email());
        return added;
    }

    /** Removes a sender as {@code caller}'s act, audited. */
    @Transactional
    public void remove(Caller caller, long id) {
        Sender sender = get(caller.accountId(), id);
        remove(caller.accountId(), id);
        audit.record(caller, "sender.removed", "sender", String.valueOf(id), sender.email());
    }
}
