package io.mailtree.contacts;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.SqlLists;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Set-based statements shared by lists, sharing and imports, in chunks the databases handle well. */
final class ContactsSql {

    private ContactsSql() {
    }

    static <T> List<List<T>> chunks(List<T> items, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i += size) {
            out.add(items.subList(i, Math.min(items.size(), i + size)));
        }
        return out;
    }

    static List<String> existingKeys(JdbcClient jdbc, AccountId account, List<String> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        List<Object> params = new ArrayList<>();
        params.add(account.value());
        params.addAll(keys);
        return jdbc.sql("select email_key from contact where account_id = ? and email_key in ("
                + SqlLists.placeholders(keys.size()) + ")")
                .params(params).query(String.class).list();
    }

    static List<Long> idsOfKeys(JdbcClient jdbc, AccountId account, List<String> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        List<Object> params = new ArrayList<>();
        params.add(account.value());
        params.addAll(keys);
        return jdbc.sql("select id from contact where account_id = ? and email_key in ("
                + SqlLists.placeholders(keys.size()) + ")")
                .params(params).query(Long.class).list();
    }

    static List<Long> ownedIds(JdbcClient jdbc, AccountId account, List<Long> ids) {
        List<Long> owned = new ArrayList<>();
        for (List<Long> chunk : chunks(ids, 1000)) {
            List<Object> params = new ArrayList<>();
            params.add(account.value());
            params.addAll(chunk);
            owned.addAll(jdbc.sql("select id from contact where account_id = ? and id in ("
                    + SqlLists.placeholders(chunk.size()) + ")")
                    .params(params).query(Long.class).list());
        }
        return owned;
    }

    static List<Long> members(JdbcClient jdbc, long listId, List<Long> contactIds) {
        if (contactIds.isEmpty()) {
            return List.of();
        }
        List<Object> params = new ArrayList<>();
        params.add(listId);
        params.addAll(contactIds);
        return jdbc.sql("select contact_id from list_member where list_id = ? and contact_id in ("
                + SqlLists.placeholders(contactIds.size()) + ")").params(params).query(Long.class).list();
    }

    /** Rows of (account_id, email, email_key, created_at, updated_at): new subscribed contacts. */
    static void batchInsertContacts(JdbcClient jdbc, List<Object[]> rows) {
        for (List<Object[]> chunk : chunks(rows, 500)) {
            StringBuilder sql = new StringBuilder(
                    "insert into contact (account_id, email, email_key, name, status, properties, created_at, updated_at) values ");
            List<Object> params = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "" : ",").append("(?, ?, ?, null, 'SUBSCRIBED', '{}', ?, ?)");
                Collections.addAll(params, chunk.get(i));
            }
            jdbc.sql(sql.toString()).params(params).update();
        }
    }

    /** Rows of (list_id, contact_id, account_id, added_at). */
    static void batchInsertMembers(JdbcClient jdbc, List<Object[]> rows) {
        for (List<Object[]> chunk : chunks(rows, 1000)) {
            StringBuilder sql = new StringBuilder("insert into list_member (list_id, contact_id, account_id, added_at) values ");
            List<Object> params = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "" : ",").append("(?, ?, ?, ?)");
                Collections.addAll(params, chunk.get(i));
            }
            jdbc.sql(sql.toString()).params(params).update();
        }
    }
}
