package io.mailtree.audit;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.AccountNames;
import io.mailtree.shared.AccountRoots;
import io.mailtree.shared.Caller;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.List;
import java.util.ArrayList;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Writes and reads the audit log. A master's log shows the acts in its whole tree (its own and its
 * sub-accounts'); a sub-account's log shows only its own.
 */
@Service
public class AuditLog {

    private final JdbcClient jdbc;
    private final Clock clock;
    // Looked up when a page is read: the tree records into this log, so it cannot be a constructor argument.
    private final ObjectProvider<AccountNames> accountNamesProvider;
    private final ObjectProvider<AccountRoots> accountRoots;

    AuditLog(JdbcClient jdbc, Clock clock, ObjectProvider<AccountNames> accountNames,
            ObjectProvider<AccountRoots> accountRoots) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.accountNamesProvider = accountNames;
        this.accountRoots = accountRoots;
    }

    /**
     * Records an act of {@code caller} on the account it acts on ({@link Caller#accountId()}), filed
     * under that account's tree. The entry keeps both actors when they differ: the person or key
     * ({@code actor}) and the account its credential belongs to ({@code actor_account_id}), with the
     * context (a master switched into the sub-account, or acting on its behalf).
     */
    public void record(Caller caller, String action, String targetType, String targetId, String detail) {
        AccountId account = caller.accountId();
        // Reached from the master (switched or on behalf of): the credential's account is the root.
        // Otherwise a master is its own root and a sub-account's root is looked up in the tree.
        AccountId root = caller.actingFromMaster() ? caller.principalAccount()
                : caller.master() ? account : accountRoots.getObject().rootOf(account);
        record(caller, root, account, action, targetType, targetId, detail);
    }

    /** Records an act by a signed-in user or an API key on {@code account} of the tree {@code root}. */
    public void record(Caller caller, AccountId root, AccountId account, String action, String targetType,
            String targetId, String detail) {
        insert(root, account, caller.actor(), caller.viaApiKey() ? "API_KEY" : "USER", caller.principalAccount(),
                caller.context().name(), action, targetType, targetId, detail, caller.address());
    }

    /** Records an act of a platform operator (console or provisioning API). */
    public void recordOperator(String operator, String address, AccountId root, AccountId account, String action,
            String detail) {
        insert(root, account, operator, "OPERATOR", null, "OPERATOR", action, "account", account.toString(), detail,
                address);
    }

    /** Records an act of a person who is not signed in yet (sign-up, verification, password reset). */
    public void recordSelf(String actor, String address, AccountId root, AccountId account, String action) {
        insert(root, account, actor, "USER", account, "DIRECT", action, "account", account.toString(), null, address);
    }

    private void insert(AccountId root, AccountId account, String actor, String actorKind, AccountId actorAccount,
            String context, String action, String targetType, String targetId, String detail, String address) {
        jdbc.sql("""
                insert into audit_event (root_account_id, account_id, actor, actor_kind, actor_account_id, context,
                    action, target_type, target_id, detail, remote_address, occurred_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(root.value(), account.value(), truncate(actor, 254), actorKind,
                        actorAccount == null ? null : actorAccount.value(), context, action, targetType,
                        truncate(targetId, 64), truncate(detail, 1000), truncate(address, 64),
                        Times.sql(clock.instant()))
                .update();
    }

    /**
     * What a reader narrows the log to: an actor (a part of its name or key, case-insensitive), one
     * action code, and a period {@code [from, to)}. Null parts do not narrow.
     */
    public record Filter(String actor, String action, Instant from, Instant to) {

        public static final Filter NONE = new Filter(null, null, null, null);

        boolean isBlank(String value) {
            return value == null || value.isBlank();
        }
    }

    /**
     * The log visible to {@code viewer}: a master sees its whole tree, a sub-account itself only.
     */
    public PageOf<AuditEntry> list(AccountId viewer, boolean master, PageRequest page) {
        return list(viewer, master, Filter.NONE, page);
    }

    /** The log visible to {@code viewer}, narrowed by {@code filter}, newest first. */
    public PageOf<AuditEntry> list(AccountId viewer, boolean master, Filter filter, PageRequest page) {
        StringBuilder where = new StringBuilder(master ? "root_account_id = ?" : "account_id = ?");
        List<Object> params = new ArrayList<>();
        params.add(viewer.value());
        if (!filter.isBlank(filter.actor())) {
            where.append(" and lower(actor) like ? escape '\\'");
            params.add("%" + filter.actor().strip().toLowerCase(java.util.Locale.ROOT)
                    .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        if (!filter.isBlank(filter.action())) {
            where.append(" and action = ?");
            params.add(filter.action().strip());
        }
        if (filter.from() != null) {
            where.append(" and occurred_at >= ?");
            params.add(Times.sql(filter.from()));
        }
        if (filter.to() != null) {
            where.append(" and occurred_at < ?");
            params.add(Times.sql(filter.to()));
        }
        long total = jdbc.sql("select count(*) from audit_event where " + where)
                .params(params).query(Long.class).single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(page.size());
        pageParams.add(page.offset());
        var items = jdbc.sql("select * from audit_event where " + where + " order by id desc limit ? offset ?")
                .params(pageParams)
                .query((rs, n) -> new AuditEntry(rs.getLong("id"), new AccountId(rs.getObject("account_id", UUID.class)),
                        null, rs.getString("actor"), rs.getString("actor_kind"),
                        rs.getString("context"), rs.getString("action"), rs.getString("target_type"),
                        rs.getString("target_id"), rs.getString("detail"), rs.getString("remote_address"),
                        Times.instant(rs, "occurred_at")))
                .list();
        // The names come from the tree through shared.AccountNames: the audit log sits below accounts
        // and does not read its table.
        Map<AccountId, String> names = accountNamesProvider.getObject().namesOf(items.stream().map(AuditEntry::accountId).distinct().toList());
        items = items.stream().map(e -> e.named(names.get(e.accountId()))).toList();
        return new PageOf<>(items, page.page(), page.size(), total);
    }

    /** The action codes present in {@code viewer}'s log, for the filter's choice. */
    public List<String> actions(AccountId viewer, boolean master) {
        return jdbc.sql("select distinct action from audit_event where " + (master ? "root_account_id" : "account_id")
                + " = ? order by action").param(viewer.value()).query(String.class).list();
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }

    /** One line of the audit log. */
    public record AuditEntry(long id, AccountId accountId, String accountName, String actor, String actorKind,
            String context, String action, String targetType, String targetId, String detail, String remoteAddress,
            Instant occurredAt) {

        AuditEntry named(String name) {
            return new AuditEntry(id, accountId, name, actor, actorKind, context, action, targetType, targetId, detail,
                    remoteAddress, occurredAt);
        }
    }
}
