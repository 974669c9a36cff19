package io.mailtree.onboarding;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.ContactAllowance;
import io.mailtree.delivery.DomainVerification;
import io.mailtree.delivery.Messages;
import io.mailtree.delivery.Senders;
import io.mailtree.keys.ApiKey;
import io.mailtree.keys.ApiKeys;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Permission;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The setup checklist a new account sees on its home page, from signing up to its first sent
 * message. Every step is ticked from the account's real state, read through the module that owns
 * it, never from a flag set when a page was visited: a sender removed or a DNS record taken down
 * unticks its step again. The account may dismiss the list; it then stays hidden.
 *
 * <p>The home page's fragment asks for it as {@code @setupChecklist.of(caller)}, so the home page
 * ({@code accounts}) needs no dependency on the modules the steps read.
 */
@Component("setupChecklist")
public class SetupChecklist {

    /**
     * One step: its id (which names its messages and its element), whether it is done, the page
     * that does it, and the permission that page needs (null: every signed-in person reaches it).
     */
    public record Step(String id, boolean done, String href, Permission permission) {
    }

    /** The steps in the order a person takes them. */
    public record View(List<Step> steps) {

        public long done() {
            return steps.stream().filter(Step::done).count();
        }

        public boolean complete() {
            return done() == steps.size();
        }
    }

    private final AccountTree accounts;
    private final ContactAllowance allowance;
    private final Senders senders;
    private final DomainVerification domains;
    private final ApiKeys keys;
    private final Messages messages;
    private final JdbcClient jdbc;
    private final Clock clock;

    SetupChecklist(AccountTree accounts, ContactAllowance allowance, Senders senders, DomainVerification domains,
            ApiKeys keys, Messages messages, JdbcClient jdbc, Clock clock) {
        this.accounts = accounts;
        this.allowance = allowance;
        this.senders = senders;
        this.domains = domains;
        this.keys = keys;
        this.messages = messages;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The checklist of the caller's account, or null once the account dismissed it. */
    public View of(Caller caller) {
        AccountId id = caller.accountId();
        if (dismissed(id)) {
            return null;
        }
        Account account = accounts.require(id);
        return new View(List.of(
                new Step("confirm", account.isVerified(), "/check-email", null),
                new Step("sender", senders.of(id).stream().anyMatch(s -> s.isVerified()), "/senders",
                        Permission.ACCOUNT_SETTINGS),
                new Step("domain", domains.hasVerifiedDomain(id), "/senders#domains", Permission.ACCOUNT_SETTINGS),
                new Step("key", keys.of(id).stream().anyMatch(SetupChecklist::secretKnown), "/keys", Permission.API_KEYS),
                new Step("contacts", allowance.allowance(id).ownActiveContacts() > 0, "/imports/new", Permission.CONTACTS),
                new Step("send", messages.hasDelivered(id), "/emails", Permission.CONTENT)));
    }

    /**
     * Whether someone holds this key's secret: the key an account signs up with is made without
     * showing its secret to anyone, so only a key created on the keys page (or for a sub-account by
     * its master), a rotated one, or one already used counts.
     */
    private static boolean secretKnown(ApiKey key) {
        return ApiKey.ACTIVE.equals(key.status()) && (!key.primary() || key.rotatedAt() != null || key.lastUsedAt() != null);
    }

    public boolean dismissed(AccountId account) {
        return jdbc.sql("select count(*) from setup_checklist_dismissal where account_id = ?").param(account.value())
                .query(Long.class).single() > 0;
    }

    /** Hides the checklist of the account for good; dismissing it twice changes nothing. */
    public void dismiss(AccountId account) {
        if (!dismissed(account)) {
            try {
                jdbc.sql("insert into setup_checklist_dismissal (account_id, dismissed_at) values (?, ?)")
                        .params(account.value(), Times.sql(clock.instant())).update();
            } catch (org.springframework.dao.DuplicateKeyException dismissedMeanwhile) {
                // a second tab dismissed it at the same moment: it is dismissed, as asked
            }
        }
    }
}
