package io.mailtree.contacts;

import io.mailtree.accounts.ContactAllowance;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.FieldChecks;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.Texts;
import io.mailtree.shared.Times;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * An account's contacts. Creating a subscribed contact, or resubscribing one, takes from the
 * account's allowance in the same transaction (D-7, D-11); deleting or unsubscribing returns it.
 */
@Service
public class Contacts {

    public static final int MAX_LIMIT = 500;
    static final int NAME_MAX = 200;

    static final RowMapper<Contact> MAPPER = (rs, n) -> new Contact(rs.getLong("id"), rs.getString("email"),
            rs.getString("name"), ContactStatus.valueOf(rs.getString("status")),
            ContactProperties.fromJson(rs.getString("properties")), Times.instant(rs, "created_at"),
            Times.instant(rs, "updated_at"));

    private final JdbcClient jdbc;
    private final ContactAllowance allowance;
    private final ContactProperties properties;
    private final Clock clock;

    Contacts(JdbcClient jdbc, ContactAllowance allowance, ContactProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.allowance = allowance;
        this.properties = properties;
        this.clock = clock;
    }

    /** The search of the contacts page and API; every field is optional. */
    public record Query(String text, ContactStatus status, Long listId, String propertyKey, String propertyValue) {

        public static Query all() {
            return new Query(null, null, null, null, null);
        }
    }

    @Transactional
    public Contact create(AccountId account, String email, String name, String status, Map<String, ?> values) {
        // Every field checked before any is refused, so one answer names all that is wrong.
        FieldChecks checks = new FieldChecks();
        String normalised = checks.check("email", () -> EmailAddresses.normalise(email));
        String validName = checks.check("name", () -> name(name));
        ContactStatus validStatus = checks.check("status", () -> ContactStatus.parse(status));
        Map<String, Object> typed = ContactProperties.typed(values, properties.byKey(account), checks);
        checks.throwIfAny();
        String json = ContactProperties.toJson(typed);
        if (validStatus.isActive()) {
            allowance.reserveActiveContacts(account, 1);
        }
        Instant now = clock.instant();
        try {
            String key = EmailAddresses.contactKey(normalised);
            jdbc.sql("""
                    insert into contact (account_id, email, email_key, name, status, properties, created_at, updated_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?)""")
                    .params(account.value(), normalised, key, validName, validStatus.name(), json, Times.sql(now),
                            Times.sql(now))
                    .update();
            return get(account, lastId(account, key));
        } catch (DuplicateKeyException exists) {
            throw DomainProblem.conflict("contact_exists", "a contact with this address already exists", normalised)
                    .with("field", "email");
        }
    }

    private long lastId(AccountId account, String key) {
        return jdbc.sql("select id from contact where account_id = ? and email_key = ?").params(account.value(), key)
                .query(Long.class).single();
    }

    public Contact get(AccountId account, long id) {
        return find(account, id).orElseThrow(() -> DomainProblem.notFound("contact_not_found", "contact"));
    }

    public Optional<Contact> find(AccountId account, long id) {
        return jdbc.sql("select * from contact where account_id = ? and id = ?").params(account.value(), id)
                .query(MAPPER).optional();
    }

    public Optional<Contact> findByEmail(AccountId account, String email) {
        String key = EmailAddresses.contactKey(EmailAddresses.normalise(email));
        return jdbc.sql("select * from contact where account_id = ? and email_key = ?").params(account.value(), key)
                .query(MAPPER).optional();
    }

    /**
     * Changes a contact. Null arguments leave a field as it is; {@code values} replaces the listed
     * properties (an empty value removes one). A move into or out of SUBSCRIBED moves the counter.
     */
    @Transactional
    public Contact update(AccountId account, long id, String name, String status, Map<String, ?> values) {
        Contact current = jdbc.sql("select * from contact where account_id = ? and id = ? for update")
                .params(account.value(), id).query(MAPPER).optional()
                .orElseThrow(() -> DomainProblem.notFound("contact_not_found", "contact"));
        FieldChecks checks = new FieldChecks();
        String newName = name == null ? current.name() : checks.check("name", () -> name(name));
        ContactStatus newStatus = status == null ? current.status()
                : checks.check("status", () -> ContactStatus.parse(status));
        Map<String, Object> merged = new TreeMap<>(current.properties());
        if (values != null) {
            Map<String, Object> typed = ContactProperties.typed(values, properties.byKey(account), checks);
            values.keySet().forEach(merged::remove);
            merged.putAll(typed);
        }
        checks.throwIfAny();
        if (!current.status().isActive() && newStatus.isActive()) {
            allowance.reserveActiveContacts(account, 1);
        } else if (current.status().isActive() && !newStatus.isActive()) {
            allowance.releaseActiveContacts(account, 1);
        }
        jdbc.sql("update contact set name = ?, status = ?, properties = ?, updated_at = ? where account_id = ? and id = ?")
                .params(newName, newStatus.name(), ContactProperties.toJson(merged), Times.sql(clock.instant()),
                        account.value(), id)
                .update();
        return get(account, id);
    }

    @Transactional
    public void delete(AccountId account, long id) {
        // The row lock makes a second delete of the same contact wait for the first and then find nothing,
        // so the allowance and the list counts are given back once, not once per concurrent request.
        Contact current = jdbc.sql("select * from contact where account_id = ? and id = ? for update")
                .params(account.value(), id).query(MAPPER).optional()
                .orElseThrow(() -> DomainProblem.notFound("contact_not_found", "contact"));
        List<Long> lists = jdbc.sql("select list_id from list_member where contact_id = ?").param(id).query(Long.class).list();
        jdbc.sql("delete from list_member where contact_id = ?").param(id).update();
        for (Long list : lists) {
            jdbc.sql("update contact_list set member_count = member_count - 1 where id = ?").param(list).update();
        }
        jdbc.sql("delete from contact where account_id = ? and id = ?").params(account.value(), id).update();
        if (current.status().isActive()) {
            allowance.releaseActiveContacts(account, 1);
        }
    }

    /**
     * The recipients of a send to {@code listIds}, after contact id {@code afterContactId}, in contact id
     * order: subscribed contacts in at least one of the lists, none on the suppression list. A contact is
     * one address of the account, so a contact in several lists comes once (de-duplicated by address).
     * Keyset paging: a caller walks a list of any size with memory of one page.
     */
    public List<Contact> subscribedInLists(AccountId account, Collection<Long> listIds, long afterContactId,
            int limit) {
        if (listIds.isEmpty()) {
            return List.of();
        }
        List<Object> params = new ArrayList<>(List.of(account.value(), afterContactId, ContactStatus.SUBSCRIBED.name(),
                account.value()));
        params.addAll(listIds);
        params.add(limit);
        return jdbc.sql(recipients(listIds.size()) + " order by c.id limit ?").params(params).query(MAPPER).list();
    }

    /** How many recipients {@link #subscribedInLists} walks in all, for a send's progress. */
    public int countSubscribedInLists(AccountId account, Collection<Long> listIds) {
        if (listIds.isEmpty()) {
            return 0;
        }
        List<Object> params = new ArrayList<>(List.of(account.value(), 0L, ContactStatus.SUBSCRIBED.name(),
                account.value()));
        params.addAll(listIds);
        return jdbc.sql(recipients(listIds.size()).replace("select c.*", "select count(*)")).params(params).query(Integer.class).single();
    }

    private static final String RECIPIENTS_TEMPLATE = """
            select c.* from contact c
            where c.account_id = ? and c.id > ? and c.status = ?
              and exists (select 1 from list_member m where m.contact_id = c.id and m.account_id = ? and m.list_id in (%s))
              and not exists (select 1 from suppression s where s.account_id = c.account_id and s.email_key = c.email_key)""";

    private static String recipients(int lists) {
        return RECIPIENTS_TEMPLATE.formatted(io.mailtree.shared.SqlLists.placeholders(lists));
    }

    /**
     * D-7: a contact who unsubscribes (the one-click link of a campaign) leaves the count at once;
     * answers whether it changed. A contact already not subscribed is left as it is.
     */
    @Transactional
    public boolean unsubscribe(AccountId account, long contactId) {
        Optional<Contact> contact = find(account, contactId);
        if (contact.isEmpty() || contact.get().status() != ContactStatus.SUBSCRIBED) {
            return false;
        }
        update(account, contactId, null, ContactStatus.UNSUBSCRIBED.name(), null);
        return true;
    }

    /** Keyset search: the cost of a page does not depend on how far into the contacts it is. */
    public CursorPage<Contact> search(AccountId account, Query query, String cursor, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw DomainProblem.invalid("invalid_limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        long after = decodeCursor(cursor);
        StringBuilder sql = new StringBuilder("select * from contact c where c.account_id = ? and c.id > ?");
        List<Object> params = new ArrayList<>(List.of(account.value(), after));
        appendFilters(query, sql, params);
        sql.append(" order by c.id limit ?");
        params.add(limit + 1);
        List<Contact> rows = jdbc.sql(sql.toString()).params(params).query(MAPPER).list();
        boolean more = rows.size() > limit;
        List<Contact> items = more ? rows.subList(0, limit) : rows;
        return new CursorPage<>(List.copyOf(items), more ? encodeCursor(items.get(items.size() - 1).id()) : null, limit);
    }

    /** Appends the WHERE clauses of a query to a statement over {@code contact c}. */
    static void appendFilters(Query query, StringBuilder sql, List<Object> params) {
        if (query == null) {
            return;
        }
        if (query.text() != null && !query.text().isBlank()) {
            String pattern = "%" + like(query.text().strip().toLowerCase(Locale.ROOT)) + "%";
            sql.append(" and (lower(c.email_key) like ? escape '\\' or lower(c.name) like ? escape '\\')");
            params.add(pattern);
            params.add(pattern);
        }
        if (query.status() != null) {
            sql.append(" and c.status = ?");
            params.add(query.status().name());
        }
        if (query.listId() != null) {
            sql.append(" and exists (select 1 from list_member m where m.list_id = ? and m.contact_id = c.id)");
            params.add(query.listId());
        }
        if (query.propertyKey() != null && !query.propertyKey().isBlank() && query.propertyValue() != null) {
            // Values sit in JSON: "key":"text" or "key":number/boolean, compact from the API and with a
            // space after the colon when PostgreSQL merged them during an import.
            String key = ContactProperties.validKey(query.propertyKey());
            String value = query.propertyValue().strip();
            String quotedKey = ContactProperties.JSON.writeValueAsString(key);
            List<String> patterns = List.of(quotedKey + ":" + ContactProperties.JSON.writeValueAsString(value),
                    quotedKey + ": " + ContactProperties.JSON.writeValueAsString(value), quotedKey + ":" + value,
                    quotedKey + ": " + value);
            sql.append(" and (c.properties like ? escape '\\' or c.properties like ? escape '\\'"
                    + " or c.properties like ? escape '\\' or c.properties like ? escape '\\')");
            for (String pattern : patterns) {
                params.add("%" + like(pattern) + "%");
            }
        }
    }

    static String like(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    static String encodeCursor(long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("c" + id).getBytes(StandardCharsets.UTF_8));
    }

    static long decodeCursor(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return 0;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith("c")) {
                return Long.parseLong(text.substring(1));
            }
        } catch (IllegalArgumentException malformed) {
            // fall through
        }
        throw DomainProblem.invalid("invalid_cursor", "the cursor is not one this API gave out");
    }

    static String name(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        return Texts.name(raw, NAME_MAX);
    }

}
