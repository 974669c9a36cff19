package io.mailtree.billing;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * What a tree has used this period, account by account, as its master sees it (D-31): the messages
 * accepted so far (the reservation on the credits, as it happens), the messages the relay took (the
 * meter, which the invoice bills) and the cap. A sub-account sees its own line only.
 */
@Service
public class Usage {

    /** One account's line. */
    public record Line(AccountId account, String name, boolean master, boolean active, long accepted, long sent,
            Long cap) {
    }

    /** The tree's usage now. */
    public record Report(Subscriptions.Subscription subscription, Credits.Status credits, List<Line> lines) {

        public long acceptedTotal() {
            return lines.stream().mapToLong(Line::accepted).sum();
        }

        public long sentTotal() {
            return lines.stream().mapToLong(Line::sent).sum();
        }
    }

    private final JdbcClient jdbc;
    private final AccountTree accounts;
    private final Credits credits;
    private final Subscriptions subscriptions;
    private final Clock clock;

    Usage(JdbcClient jdbc, AccountTree accounts, Credits credits, Subscriptions subscriptions, Clock clock) {
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.credits = credits;
        this.subscriptions = subscriptions;
        this.clock = clock;
    }

    public Report report(Caller caller) {
        Account account = accounts.require(caller.accountId());
        AccountId master = account.rootId();
        Credits.Status status = credits.status(master);
        Subscriptions.Subscription subscription = subscriptions.of(master);
        Map<AccountId, Credits.Share> shares = credits.shares(master);
        Map<UUID, Long> sent = new HashMap<>();
        jdbc.sql("select sender_id, sum(sent) from billing_usage where account_id = ? and period_start = ? group by sender_id")
                .params(master.value(), status.period().start())
                .query(rs -> {
                    sent.put(rs.getObject(1, UUID.class), rs.getLong(2));
                });
        List<Account> tree = new ArrayList<>();
        if (account.isMaster()) {
            tree.add(account);
            tree.addAll(accounts.findAll(accounts.subaccountIds(master)).values().stream()
                    .sorted(java.util.Comparator.comparing(Account::name).thenComparing(a -> a.id().value())).toList());
        } else {
            tree.add(account);
        }
        List<Line> lines = tree.stream().map(a -> {
            Credits.Share share = shares.get(a.id());
            return new Line(a.id(), a.name(), a.isMaster(), a.isActive(), share == null ? 0 : share.used(),
                    sent.getOrDefault(a.id().value(), 0L), share == null ? null : share.cap());
        }).toList();
        return new Report(subscription, status, lines);
    }

    /** The clock's period, for pages that name it. */
    public BillingPeriod currentPeriod() {
        return BillingPeriod.of(clock.instant());
    }
}
