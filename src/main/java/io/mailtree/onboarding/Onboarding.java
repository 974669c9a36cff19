package io.mailtree.onboarding;

import io.mailtree.access.AccountLinks;
import io.mailtree.access.User;
import io.mailtree.access.Users;
import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.audit.AuditLog;
import io.mailtree.keys.ApiKeys;
import io.mailtree.keys.IssuedKey;
import io.mailtree.notifications.MailRequestLimits;
import io.mailtree.notifications.SystemMail;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.FieldChecks;
import io.mailtree.shared.Texts;
import java.util.Optional;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Creates accounts in one transaction each: the account, its owner, its first API key, the audit
 * record and the e-mail to send all commit together or not at all.
 */
@Service
public class Onboarding {

    static final String SIGN_UP_PLAN = "free";

    private final AccountTree accounts;
    private final Users users;
    private final ApiKeys keys;
    private final AccountLinks links;
    private final SystemMail mail;
    private final AuditLog audit;
    private final MessageSource messages;
    private final MailRequestLimits limits;

    Onboarding(AccountTree accounts, Users users, ApiKeys keys, AccountLinks links, SystemMail mail, AuditLog audit,
            MessageSource messages, MailRequestLimits limits) {
        this.limits = limits;
        this.accounts = accounts;
        this.users = users;
        this.keys = keys;
        this.links = links;
        this.mail = mail;
        this.audit = audit;
        this.messages = messages;
    }

    /** An account just created, with its owner and the one-time view of its first key's secret. */
    public record Created(Account account, User owner, IssuedKey apiKey) {
    }

    /** D-1: sign-up creates a Free master that cannot send until its owner confirms the e-mail. */
    @Transactional
    public Created signUp(String name, String email, String password, String address) {
        String login = EmailAddresses.normalise(email);
        users.requireLoginFree(login);
        Account master = accounts.createMaster(name, SIGN_UP_PLAN);
        User owner = users.createOwner(master.id(), login, password, false);
        IssuedKey key = keys.issuePrimary(master.id(), "Primary key");
        audit.recordSelf(login, address, master.id(), master.id(), "account.signed_up");
        sendVerification(owner);
        return new Created(master, owner, key);
    }

    /**
     * Sends a new verification link, limited per address and per client.
     *
     * @throws DomainProblem {@code too_many_mail_requests} past the limits
     */
    @Transactional
    public void resendVerification(User owner, String client) {
        if (!owner.isVerified()) {
            limits.acquire("verification", owner.email(), client);
            sendVerification(owner);
        }
    }

    /** Whether a verification link is valid (signed, unexpired), without confirming anything. */
    public boolean isValidVerification(String token) {
        return links.verifiedUser(token).isPresent();
    }

    /** Confirms the address of a signed link; answers the verified user, or empty for a bad or expired link. */
    @Transactional
    public Optional<User> verify(String token, String address) {
        Optional<User> user = links.verifiedUser(token);
        user.ifPresent(u -> {
            boolean first = !u.isVerified();
            users.markVerified(u.id());
            accounts.markVerified(u.accountId());
            if (first) {
                audit.recordSelf(u.email(), address, accounts.require(u.accountId()).rootId(), u.accountId(),
                        "account.verified");
            }
        });
        return user;
    }

    /**
     * D-6, D-13, D-16: a sub-account with its own owner login and its own ("secondary") key. Without
     * a password, the owner is e-mailed a link to set one.
     */
    @Transactional
    public Created createSubaccount(Caller caller, String name, String ownerEmail, String password, Integer allocation) {
        // Before the login and password checks, so a sub-account learns nothing about which logins are taken.
        caller.requireMaster();
        // The fields together, so the API names every wrong one in one answer as the page does; the
        // allowance is judged after, on a request whose fields are right.
        FieldChecks checks = new FieldChecks();
        checks.check("name", () -> Texts.name(name, AccountTree.NAME_MAX));
        String login = checks.check("ownerEmail", () -> EmailAddresses.normalise(ownerEmail));
        if (login != null) {
            checks.checkThat("ownerEmail", () -> users.requireLoginFree(login));
        }
        if (password != null) {
            checks.checkThat("password", () -> users.requireValidPassword(password));
        }
        checks.throwIfAny();
        Account sub = accounts.createSubaccount(caller, name, allocation);
        User owner = users.createOwner(sub.id(), login, password, true);
        IssuedKey key = keys.issuePrimary(sub.id(), "Secondary key");
        audit.record(caller, sub.rootId(), sub.id(), "key.created", "api_key", key.key().id().toString(),
                "publicKey=" + key.key().publicKey());
        if (password == null) {
            sendPasswordSetup(owner, sub.name());
        }
        return new Created(sub, owner, key);
    }

    /** The provisioning API: a master created by an operator; its owner sets a password by e-mail. */
    @Transactional
    public Created provisionMaster(String name, String ownerEmail, String planCode, String operator, String address) {
        String login = EmailAddresses.normalise(ownerEmail);
        users.requireLoginFree(login);
        if (planCode == null) {
            throw DomainProblem.invalid("unknown_plan", "a plan code is required").with("field", "plan");
        }
        Account master = accounts.createMaster(name, planCode);
        accounts.markVerified(master.id());
        User owner = users.createOwner(master.id(), login, null, true);
        IssuedKey key = keys.issuePrimary(master.id(), "Primary key");
        audit.recordOperator(operator, address, master.id(), master.id(), "master.provisioned",
                "plan=" + planCode + " owner=" + login);
        sendPasswordSetup(owner, master.name());
        return new Created(accounts.require(master.id()), owner, key);
    }

    private void sendVerification(User owner) {
        String link = links.verificationLink(owner);
        mail.send(owner.email(), text("mail.verify.subject"), text("mail.verify.body", link));
    }

    private void sendPasswordSetup(User owner, String accountName) {
        String link = links.passwordLink(owner, true);
        mail.send(owner.email(), text("mail.setup.subject", accountName), text("mail.setup.body", accountName, link));
    }

    private String text(String code, Object... args) {
        return messages.getMessage(code, args, LocaleContextHolder.getLocale());
    }
}
