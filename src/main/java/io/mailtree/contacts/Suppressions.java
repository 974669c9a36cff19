package io.mailtree.contacts;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The account's suppression list: addresses never to be mailed, whatever list they are on.
 * HARD_BOUNCE and COMPLAINT entries come from delivery's outcomes ({@link OutcomeSuppressions}); people
 * add MANUAL ones.
 */
@Service
public class Suppressions implements io.mailtree.shared.SuppressedRecipients {

    static final Set<String> REASONS = Set.of("MANUAL", "HARD_BOUNCE", "COMPLAINT", "UNSUBSCRIBE");

    static final RowMapper<Suppression> MAPPER = (rs, n) -> new Suppression(rs.getString("email"),
            rs.getString("reason"), rs.getString("detail"), Times.instant(rs, "created_at"),
            rs.getObject("api_key_id", java.util.UUID.class));

    private final JdbcClient jdbc;
    private final org.springframework.jdbc.core.JdbcTemplate jdbcTemplate;
    private final Clock clock;

    Suppressions(JdbcClient jdbc, org.springframework.jdbc.core.JdbcTemplate jdbcTemplate, Clock clock) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.clock = clock;
    }

    public CursorPage<Suppression> list(AccountId account, String cursor, int limit) {
        return list(account, cursor, limit, null);
    }

    /** The account's suppressions, or only those caused by one of its keys' mail (D-20). */
    public CursorPage<Suppression> list(AccountId account, String cursor, int limit, java.util.UUID apiKeyId) {
        if (limit < 1 || limit > Contacts.MAX_LIMIT) {
            throw DomainProblem.invalid("invalid_limit", "limit must be between 1 and " + Contacts.MAX_LIMIT);
        }
        long after = Contacts.decodeCursor(cursor);
        record Row(long id, Suppression suppression) {
        }
        List<Row> rows = (apiKeyId == null
                ? jdbc.sql("select * from suppression where account_id = ? and id > ? order by id limit ?")
                        .params(account.value(), after, limit + 1)
                : jdbc.sql("select * from suppression where account_id = ? and api_key_id = ? and id > ? order by id"
                        + " limit ?").params(account.value(), apiKeyId, after, limit + 1))
                .query((rs, n) -> new Row(rs.getLong("id"), MAPPER.mapRow(rs, n))).list();
        boolean more = rows.size() > limit;
        List<Row> page = more ? rows.subList(0, limit) : rows;
        return new CursorPage<>(page.stream().map(Row::suppression).toList(),
                more ? Contacts.encodeCursor(page.get(page.size() - 1).id()) : null, limit);
    }

    /** Adds an address (idempotent: an existing entry keeps its first reason). */
    @Transactional
    public Suppression add(AccountId account, String email, String reason, String detail) {
        String normalised = EmailAddresses.normalise(email);
        String validReason = reason == null ? "MANUAL" : reason.strip().toUpperCase(Locale.ROOT);
        if (!REASONS.contains(validReason)) {
            throw DomainProblem.invalid("invalid_reason", "reason must be one of " + REASONS).with("field", "reason");
        }
        String key = EmailAddresses.contactKey(normalised);
        if (find(account, key) == null) {
            jdbc.sql("""
                    insert into suppression (account_id, email, email_key, reason, detail, created_at)
                    values (?, ?, ?, ?, ?, ?)""")
                    .params(account.value(), normalised, key, validReason,
                            detail == null ? null : detail.substring(0, Math.min(500, detail.length())),
                            Times.sql(clock.instant()))
                    .update();
        }
        return find(account, key);
    }

    /** An address to suppress, with why, and the key whose mail caused it (or null). */
    record Entry(String email, String reason, String detail, java.util.UUID apiKeyId) {
    }

    /**
     * Adds the addresses not yet on the account's suppression list, in the caller's transaction, with
     * one look-up and one batched insert; those already there are left as they are (so applying the
     * same entries twice changes nothing). The emails must be normalised and the reasons known.
     */
    void addMissing(AccountId account, List<Entry> entries) {
        Set<String> already = suppressedAmong(account, entries.stream().map(Entry::email).toList());
        Map<String, Entry> fresh = new java.util.LinkedHashMap<>();
        for (Entry entry : entries) {
            if (!already.contains(entry.email())) {
                fresh.putIfAbsent(EmailAddresses.contactKey(entry.email()), entry);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        var now = Times.sql(clock.instant());
        List<Object[]> rows = new ArrayList<>(fresh.size());
        fresh.forEach((key, entry) -> rows.add(new Object[] {account.value(), entry.email(), key, entry.reason(),
                entry.detail() == null ? null : entry.detail().substring(0, Math.min(500, entry.detail().length())),
                now, entry.apiKeyId()}));
        jdbcTemplate.batchUpdate("""
                insert into suppression (account_id, email, email_key, reason, detail, created_at, api_key_id)
                values (?, ?, ?, ?, ?, ?, ?)""", rows);
    }

    @Transactional
    public void remove(AccountId account, String email) {
        String key = EmailAddresses.contactKey(EmailAddresses.normalise(email));
        if (jdbc.sql("delete from suppression where account_id = ? and email_key = ?").params(account.value(), key)
                .update() == 0) {
            throw DomainProblem.notFound("suppression_not_found", "suppression");
        }
    }

    /**
     * Which of these addresses are on the account's suppression list, in one query: delivery asks
     * once for a whole claimed batch. Answers the addresses as given.
     */
    @Override
    public Set<String> suppressedAmong(AccountId account, Collection<String> emails) {
        Map<String, List<String>> byKey = new HashMap<>();
        for (String email : emails) {
            byKey.computeIfAbsent(EmailAddresses.contactKey(EmailAddresses.normalise(email)), k -> new ArrayList<>())
                    .add(email);
        }
        Set<String> suppressed = new HashSet<>();
        List<String> keys = new ArrayList<>(byKey.keySet());
        for (int from = 0; from < keys.size(); from += 500) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + 500));
            List<Object> params = new ArrayList<>();
            params.add(account.value());
            params.addAll(chunk);
            jdbc.sql("select email_key from suppression where account_id = ? and email_key in ("
                    + SqlLists.placeholders(chunk.size()) + ")")
                    .params(params).query(String.class).list()
                    .forEach(key -> suppressed.addAll(byKey.get(key)));
        }
        return suppressed;
    }

    public boolean isSuppressed(AccountId account, String email) {
        return find(account, EmailAddresses.contactKey(EmailAddresses.normalise(email))) != null;
    }

    private Suppression find(AccountId account, String key) {
        return jdbc.sql("select * from suppression where account_id = ? and email_key = ?").params(account.value(), key)
                .query(MAPPER).optional().orElse(null);
    }
}
