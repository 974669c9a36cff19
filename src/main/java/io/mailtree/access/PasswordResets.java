package io.mailtree.access;

import io.mailtree.audit.AuditLog;
import io.mailtree.accounts.AccountTree;
import io.mailtree.notifications.MailRequestLimits;
import io.mailtree.notifications.SystemMail;
import java.util.Optional;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Forgotten passwords: a signed link by e-mail, valid two hours and only until the password
 * changes. The request answers the same whether or not the address is known, and is limited per
 * address and per client ({@link MailRequestLimits}) whether or not the address is known.
 */
@Service
public class PasswordResets {

    private final Users users;
    private final AccountLinks links;
    private final SystemMail mail;
    private final MessageSource messages;
    private final AuditLog audit;
    private final AccountTree accounts;
    private final MailRequestLimits limits;

    PasswordResets(Users users, AccountLinks links, SystemMail mail, MessageSource messages, AuditLog audit,
            AccountTree accounts, MailRequestLimits limits) {
        this.limits = limits;
        this.users = users;
        this.links = links;
        this.mail = mail;
        this.messages = messages;
        this.audit = audit;
        this.accounts = accounts;
    }

    /**
     * E-mails a reset link if an account uses the address.
     *
     * @throws io.mailtree.shared.DomainProblem {@code too_many_mail_requests} past the limits, known address or not
     */
    @Transactional
    public void request(String email, String client) {
        limits.acquire("password-reset", email, client);
        users.findByEmail(email).ifPresent(user -> mail.send(user.email(),
                messages.getMessage("mail.reset.subject", null, LocaleContextHolder.getLocale()),
                messages.getMessage("mail.reset.body", new Object[] {links.passwordLink(user, false)},
                        LocaleContextHolder.getLocale())));
    }

    public Optional<User> userOf(String token) {
        return links.passwordUser(token);
    }

    /** Sets the new password; answers false for a bad, used or expired link. */
    @Transactional
    public boolean reset(String token, String newPassword, String address) {
        Optional<User> user = links.passwordUser(token);
        if (user.isEmpty()) {
            return false;
        }
        users.changePassword(user.get().id(), newPassword);
        // Following the e-mailed link proves the address, as verification does.
        users.markVerified(user.get().id());
        audit.recordSelf(user.get().email(), address, accounts.require(user.get().accountId()).rootId(),
                user.get().accountId(), "user.password_reset");
        return true;
    }
}
