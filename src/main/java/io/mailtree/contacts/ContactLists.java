package io.mailtree.contacts;

import io.mailtree.shared.Caller;
import io.mailtree.audit.AuditLog;
import io.mailtree.accounts.ContactAllowance;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Texts;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Lists and their members, with member counts changed in the same transaction as the members. */
@Service
public class ContactLists {

    public static final int MAX_BATCH = 10_000;

    static final RowMapper<ContactList> MAPPER = (rs, n) -> new ContactList(rs.getLong("id"), rs.getString("name"),
            rs.getInt("member_count"), Times.instant(rs, "created_at"));

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final ContactAllowance allowance;
    private final Clock clock;

    ContactLists(JdbcClient jdbc, AuditLog audit, ContactAllowance allowance, Clock clock) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.allowance = allowance;
        this.clock = clock;
    }

    @Transactional
    public ContactList create(AccountId account, String name) {
        String valid = Texts.name(name, 100);
        Instant now = clock.instant();
        // The generated key, not max(id): a concurrent create of a list of the same name could be the larger id.
        KeyHolder key = new GeneratedKeyHolder();
        jdbc.sql("insert into contact_list (account_id, name, member_count, created_at, updated_at) values (?, ?, 0, ?, ?)")
                .params(account.value(), valid, Times.sql(now), Times.sql(now)).update(key, "id");
        return get(account, key.getKeyAs(Long.class));
    }

    public ContactList get(AccountId account, long id) {
        return jdbc.sql("select * from contact_list where account_id = ? and id = ?").params(account.value(), id)
                .query(MAPPER).optional().orElseThrow(() -> DomainProblem.notFound("list_not_found", "list"));
    }

    public PageOf<ContactList> list(AccountId account, PageRequest page) {
        long total = jdbc.sql("select count(*) from contact_list where account_id = ?").param(account.value())
                .query(Long.class).single();
        List<ContactList> items = jdbc.sql("select * from contact_list where account_id = ? order by id limit ? offset ?")
                .params(account.value(), page.size(), page.offset()).query(MAPPER).list();
        return new PageOf<>(items, page.page(), page.size(), total);
    }

    @Transactional
    public ContactList rename(AccountId account, long id, String name) {
        get(account, id);
        jdbc.sql("update contact_list set name = ?, updated_at = ? where account_id = ? and id = ?")
                .params(Texts.name(name, 100), Times.sql(clock.instant()), account.value(), id).update();
        return get(account, id);
    }

    /** Deletes a list and its memberships; the contacts stay. */
    @Transactional
    public void delete(AccountId account, long id) {
        get(account, id);
        jdbc.sql("delete from list_member where list_id = ?").param(id).update();
        jdbc.sql("delete from contact_list where account_id = ? and id = ?").params(account.value(), id).update();
    }

    /** What an add-members call did. */
    public record AddResult(int added, int alreadyMembers, int contactsCreated) {
    }

    /**
     * Adds contacts by address, creating the missing ones as subscribed contacts; the new ones are
     * taken from the allowance all together or refused all together (D-11).
     */
    @Transactional
    public AddResult addEmails(AccountId account, long listId, Collection<String> emails) {
        get(account, listId);
        requireBatch(emails);
        Map<String, String> byKey = new LinkedHashMap<>();
        for (String email : emails) {
            String normalised;
            try {
                normalised = EmailAddresses.normalise(email);
            } catch (DomainProblem invalid) {
                throw DomainProblem.invalid("invalid_email", "not a valid e-mail address: " + truncate(email), truncate(email))
                        .with("field", "emails").with("email", truncate(email));
            }
            byKey.putIfAbsent(EmailAddresses.contactKey(normalised), normalised);
        }
        List<String> keys = new ArrayList<>(byKey.keySet());
        List<String> existing = existingKeys(account, keys);
        List<String> missing = keys.stream().filter(k -> !existing.contains(k)).toList();
        allowance.reserveActiveContacts(account, missing.size());
        Instant now = clock.instant();
        if (!missing.isEmpty()) {
            var batch = new ArrayList<Object[]>();
            for (String key : missing) {
                batch.add(new Object[] {account.value(), byKey.get(key), key, Times.sql(now), Times.sql(now)});
            }
            ContactsSql.batchInsertContacts(jdbc, batch);
        }
        List<Long> ids = idsOf(account, keys);
        int added = addMembers(account, listId, ids, now);
        return new AddResult(added, ids.size() - added, missing.size());
    }

    /** Adds existing contacts by id; ids of another account are refused as not found. */
    @Transactional
    public AddResult addContactIds(AccountId account, long listId, Collection<Long> contactIds) {
        get(account, listId);
        requireBatch(contactIds);
        List<Long> distinct = contactIds.stream().distinct().toList();
        List<Long> owned = ContactsSql.ownedIds(jdbc, account, distinct);
        if (owned.size() != distinct.size()) {
            List<Long> unknown = distinct.stream().filter(id -> !owned.contains(id)).limit(10).toList();
            throw DomainProblem.notFound("contact_not_found", "contact").with("contactIds", unknown);
        }
        int added = addMembers(account, listId, owned, clock.instant());
        return new AddResult(added, owned.size() - added, 0);
    }

    @Transactional
    public int removeContactIds(AccountId account, long listId, Collection<Long> contactIds) {
        get(account, listId);
        requireBatch(contactIds);
        int removed = 0;
        for (Long id : contactIds.stream().distinct().toList()) {
            removed += jdbc.sql("delete from list_member where list_id = ? and contact_id = ? and account_id = ?")
                    .params(listId, id, account.value()).update();
        }
        jdbc.sql("update contact_list set member_count = member_count - ?, updated_at = ? where id = ?")
                .params(removed, Times.sql(clock.instant()), listId).update();
        return removed;
    }

    int addMembers(AccountId account, long listId, List<Long> contactIds, Instant now) {
        int added = 0;
        for (List<Long> chunk : ContactsSql.chunks(contactIds, 1000)) {
            List<Long> already = ContactsSql.members(jdbc, listId, chunk);
            List<Object[]> rows = new ArrayList<>();
            for (Long id : chunk) {
                if (!already.contains(id)) {
                    rows.add(new Object[] {listId, id, account.value(), Times.sql(now)});
                }
            }
            ContactsSql.batchInsertMembers(jdbc, rows);
            added += rows.size();
        }
        jdbc.sql("update contact_list set member_count = member_count + ?, updated_at = ? where id = ?")
                .params(added, Times.sql(now), listId).update();
        return added;
    }

    private List<String> existingKeys(AccountId account, List<String> keys) {
        List<String> found = new ArrayList<>();
        for (List<String> chunk : ContactsSql.chunks(keys, 1000)) {
            found.addAll(ContactsSql.existingKeys(jdbc, account, chunk));
        }
        return found;
    }

    private List<Long> idsOf(AccountId account, List<String> keys) {
        List<Long> ids = new ArrayList<>();
        for (List<String> chunk : ContactsSql.chunks(keys, 1000)) {
            ids.addAll(ContactsSql.idsOfKeys(jdbc, account, chunk));
        }
        return ids;
    }

    private static void requireBatch(Collection<?> items) {
        if (items == null || items.isEmpty()) {
            throw DomainProblem.invalid("empty_batch", "give at least one contact");
        }
        if (items.size() > MAX_BATCH) {
            throw DomainProblem.invalid("batch_too_large", "at most " + MAX_BATCH + " contacts a call", MAX_BATCH);
        }
    }

    private static String truncate(String text) {
        return text == null ? "null" : text.length() > 100 ? text.substring(0, 100) : text;
    }

    // --- The administrative acts of D-32: the same changes, written to the audit log in their transaction.

    /** Creates a list as {@code caller}'s act, audited. */
    @Transactional
    public ContactList create(Caller caller, String name) {
        ContactList created = create(caller.accountId(), name);
        audit.record(caller, "list.created", "list", String.valueOf(created.id()), created.name());
        return created;
    }

    /** Renames a list as {@code caller}'s act, audited with the old and the new name. */
    @Transactional
    public ContactList rename(Caller caller, long id, String name) {
        String before = get(caller.accountId(), id).name();
        ContactList renamed = rename(caller.accountId(), id, name);
        audit.record(caller, "list.renamed", "list", String.valueOf(id), before + " -> " + renamed.name());
        return renamed;
    }

    /** Deletes a list as {@code caller}'s act, audited. */
    @Transactional
    public void delete(Caller caller, long id) {
        ContactList list = get(caller.accountId(), id);
        delete(caller.accountId(), id);
        audit.record(caller, "list.deleted", "list", String.valueOf(id), list.name());
    }
}
