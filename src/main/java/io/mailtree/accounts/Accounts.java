package io.mailtree.accounts;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Times;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Persistence of {@link Account}s. Every lookup of a sub-account is scoped by its master's id, so
 * another master's sub-account is simply not found.
 */
@Repository
class Accounts {

    private static final RowMapper<Account> MAPPER = (rs, n) -> new Account(
            new AccountId(rs.getObject("id", UUID.class)), AccountKind.valueOf(rs.getString("kind")),
            rs.getObject("parent_id", UUID.class) == null ? null : new AccountId(rs.getObject("parent_id", UUID.class)),
            rs.getString("name"), rs.getString("plan_code"), AccountStatus.valueOf(rs.getString("status")),
            Times.instant(rs, "verified_at"), (Boolean) rs.getObject("subaccounts_override"),
            (Integer) rs.getObject("contact_limit_override"), (Integer) rs.getObject("contact_allocation"),
            rs.getInt("own_active_contacts"), rs.getLong("allocated_to_subaccounts"), rs.getInt("subaccount_count"),
            Times.instant(rs, "last_send_at"), Times.instant(rs, "deactivated_at"), Times.instant(rs, "created_at"));

    private final JdbcClient jdbc;

    Accounts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Account account, Instant now) {
        jdbc.sql("""
                insert into account (id, kind, parent_id, root_id, name, name_key, plan_code, status, verified_at,
                    contact_allocation, created_at, updated_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(account.id().value(), account.kind().name(),
                        account.parentId() == null ? null : account.parentId().value(), account.rootId().value(),
                        account.name(), key(account.name()), account.planCode(), account.status().name(),
                        Times.sql(account.verifiedAt()), account.contactAllocation(), Times.sql(account.createdAt()),
                        Times.sql(now))
                .update();
    }

    /** Writes back what the verbs may change; counters are written absolutely under the row lock. */
    void update(Account account, Instant now) {
        jdbc.sql("""
                update account set name = ?, name_key = ?, plan_code = ?, status = ?, verified_at = ?,
                    subaccounts_override = ?, contact_limit_override = ?, contact_allocation = ?,
                    allocated_to_subaccounts = ?, subaccount_count = ?, deactivated_at = ?, updated_at = ?,
                    version = version + 1
                where id = ?""")
                .params(account.name(), key(account.name()), account.planCode(), account.status().name(),
                        Times.sql(account.verifiedAt()), account.subaccountsOverride(), account.contactLimitOverride(),
                        account.contactAllocation(), account.allocatedToSubaccounts(), account.subaccountCount(),
                        Times.sql(account.deactivatedAt()), Times.sql(now), account.id().value())
                .update();
    }

    Optional<Account> find(AccountId id) {
        return jdbc.sql("select * from account where id = ?").param(id.value()).query(MAPPER).optional();
    }

    /** Reads and row-locks an account, so concurrent changes to its counters queue up behind each other. */
    Optional<Account> lock(AccountId id) {
        return jdbc.sql("select * from account where id = ? for update").param(id.value()).query(MAPPER).optional();
    }

    Map<AccountId, String> namesOf(Collection<AccountId> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<AccountId, String> names = new HashMap<>();
        jdbc.sql("select id, name from account where id in (" + io.mailtree.shared.SqlLists.placeholders(ids.size()) + ")")
                .params(ids.stream().map(AccountId::value).toList())
                .query((rs, n) -> names.put(new AccountId(rs.getObject(1, UUID.class)), rs.getString(2))).list();
        return names;
    }

    /** The accounts of {@code ids} that exist, in one query. */
    Map<AccountId, Account> findAll(Collection<AccountId> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<AccountId, Account> found = new HashMap<>();
        jdbc.sql("select * from account where id in (" + io.mailtree.shared.SqlLists.placeholders(ids.size()) + ")")
                .params(ids.stream().map(AccountId::value).toList())
                .query(MAPPER).list().forEach(account -> found.put(account.id(), account));
        return found;
    }

    List<AccountId> subaccountIds(AccountId master) {
        return jdbc.sql("select id from account where parent_id = ? order by id").param(master.value())
                .query((rs, n) -> new AccountId(rs.getObject(1, UUID.class))).list();
    }

    Optional<Account> findSubaccount(AccountId master, AccountId sub) {
        return jdbc.sql("select * from account where id = ? and parent_id = ?")
                .params(sub.value(), master.value()).query(MAPPER).optional();
    }

    Optional<Account> lockSubaccount(AccountId master, AccountId sub) {
        return jdbc.sql("select * from account where id = ? and parent_id = ? for update")
                .params(sub.value(), master.value()).query(MAPPER).optional();
    }

    PageOf<Account> subaccounts(AccountId master, String search, PageRequest page) {
        if (search == null || search.isBlank()) {
            // The master row's counter answers the total; the (parent_id, name_key, id) index gives the order.
            long total = jdbc.sql("select subaccount_count from account where id = ?").param(master.value())
                    .query(Long.class).optional().orElse(0L);
            List<Account> items = jdbc.sql("""
                    select * from account where parent_id = ? order by name_key, id limit ? offset ?""")
                    .params(master.value(), page.size(), page.offset()).query(MAPPER).list();
            return new PageOf<>(items, page.page(), page.size(), total);
        }
        String pattern = likePattern(search);
        long total = jdbc.sql("select count(*) from account where parent_id = ? and name_key like ? escape '\\'")
                .params(master.value(), pattern).query(Long.class).single();
        List<Account> items = jdbc.sql("""
                select * from account where parent_id = ? and name_key like ? escape '\\'
                order by name_key, id limit ? offset ?""")
                .params(master.value(), pattern, page.size(), page.offset()).query(MAPPER).list();
        return new PageOf<>(items, page.page(), page.size(), total);
    }

    /**
     * A master's sub-accounts whose name holds {@code search}, in {@code sort}'s order (ties by name
     * then id, empty values last whichever the direction).
     */
    PageOf<Account> subaccounts(AccountId master, String search, SubaccountSort sort, boolean descending,
            PageRequest page) {
        String pattern = likePattern(search);
        long total = jdbc.sql("select count(*) from account where parent_id = ? and name_key like ? escape '\\'")
                .params(master.value(), pattern).query(Long.class).single();
        // The column comes from the enum, never from the request.
        String order = sort.column + (descending ? " desc" : " asc") + " nulls last, name_key, id";
        List<Account> items = jdbc.sql("select * from account where parent_id = ? and name_key like ? escape '\\'"
                + " order by " + order + " limit ? offset ?")
                .params(master.value(), pattern, page.size(), page.offset()).query(MAPPER).list();
        return new PageOf<>(items, page.page(), page.size(), total);
    }

    PageOf<Account> masters(String search, PageRequest page) {
        String pattern = likePattern(search);
        long total = jdbc.sql("select count(*) from account where kind = 'MASTER' and name_key like ? escape '\\'")
                .param(pattern).query(Long.class).single();
        List<Account> items = jdbc.sql("""
                select * from account where kind = 'MASTER' and name_key like ? escape '\\'
                order by name_key, id limit ? offset ?""")
                .params(pattern, page.size(), page.offset()).query(MAPPER).list();
        return new PageOf<>(items, page.page(), page.size(), total);
    }

    List<Allowance.PendingRelease> pendingReleases(AccountId master, Instant now) {
        return jdbc.sql("""
                select r.subaccount_id, a.name, r.amount, r.release_at from allocation_release r
                join account a on a.id = r.subaccount_id
                where r.account_id = ? and r.release_at > ? order by r.release_at, r.id""")
                .params(master.value(), Times.sql(now))
                .query((rs, n) -> new Allowance.PendingRelease(new AccountId(rs.getObject(1, UUID.class)),
                        rs.getString(2), rs.getInt(3), Times.instant(rs, "release_at")))
                .list();
    }

    Optional<Allowance.PendingRelease> pendingRelease(AccountId sub, Instant now) {
        return jdbc.sql("""
                select r.subaccount_id, a.name, r.amount, r.release_at from allocation_release r
                join account a on a.id = r.subaccount_id where r.subaccount_id = ? and r.release_at > ?""")
                .params(sub.value(), Times.sql(now))
                .query((rs, n) -> new Allowance.PendingRelease(new AccountId(rs.getObject(1, UUID.class)),
                        rs.getString(2), rs.getInt(3), Times.instant(rs, "release_at")))
                .optional();
    }

    void addPendingRelease(AccountId master, AccountId sub, int amount, Instant releaseAt) {
        jdbc.sql("delete from allocation_release where subaccount_id = ?").param(sub.value()).update();
        jdbc.sql("insert into allocation_release (account_id, subaccount_id, amount, release_at) values (?, ?, ?, ?)")
                .params(master.value(), sub.value(), amount, Times.sql(releaseAt)).update();
    }

    void removePendingRelease(AccountId sub) {
        jdbc.sql("delete from allocation_release where subaccount_id = ?").param(sub.value()).update();
    }

    /**
     * Moves the last-send time forward, but only when it is a minute or more behind: D-10 counts in
     * days, and skipping the update spares the account row a write for every batch of deliveries.
     */
    void recordSend(AccountId account, Instant at) {
        jdbc.sql("update account set last_send_at = ? where id = ? and (last_send_at is null or last_send_at < ?)")
                .params(Times.sql(at), account.value(), Times.sql(at.minusSeconds(60))).update();
    }

    /** Changes the own-active-contacts counter; the caller holds the row lock when it grows. */
    boolean adjustOwnActiveContacts(AccountId account, int delta) {
        return jdbc.sql("update account set own_active_contacts = own_active_contacts + ? where id = ?")
                .params(delta, account.value()).update() == 1;
    }

    /** D-4: sub-accounts have their master's plan specification. */
    void changePlanOfSubaccounts(AccountId master, String planCode) {
        jdbc.sql("update account set plan_code = ? where parent_id = ?").params(planCode, master.value()).update();
    }

    static String key(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        return key.length() > 100 ? key.substring(0, 100) : key;
    }

    private static String likePattern(String search) {
        if (search == null || search.isBlank()) {
            return "%";
        }
        String escaped = key(search.strip()).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return "%" + escaped + "%";
    }
}
