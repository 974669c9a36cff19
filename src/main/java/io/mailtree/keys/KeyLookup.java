package io.mailtree.keys;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.SqlLists;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Reads keys by id for reputation: a batch's keys with one query, one key for a page. */
@Component
class KeyLookup {

    /** What reputation needs of a key. */
    record Key(UUID id, AccountId account, String name, String label) {
    }

    private final JdbcClient jdbc;

    KeyLookup(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Map<UUID, Key> byIds(Collection<UUID> ids) {
        Map<UUID, Key> keys = new HashMap<>();
        List<UUID> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += 500) {
            List<UUID> chunk = all.subList(from, Math.min(all.size(), from + 500));
            jdbc.sql("select id, account_id, name, label from api_key where id in ("
                    + SqlLists.placeholders(chunk.size()) + ")")
                    .params(new ArrayList<Object>(chunk))
                    .query(rs -> {
                        UUID id = rs.getObject(1, UUID.class);
                        keys.put(id, new Key(id, new AccountId(rs.getObject(2, UUID.class)), rs.getString(3),
                                rs.getString(4)));
                    });
        }
        return keys;
    }

    Optional<Key> byId(UUID id) {
        return Optional.ofNullable(byIds(List.of(id)).get(id));
    }

    /** Every key of these accounts, in account then creation order. */
    List<Key> ofAccounts(Collection<AccountId> accounts) {
        if (accounts.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("select id, account_id, name, label from api_key where account_id in ("
                + SqlLists.placeholders(accounts.size()) + ") order by account_id, created_at, id")
                .params(accounts.stream().map(a -> (Object) a.value()).toList())
                .query((rs, n) -> new Key(rs.getObject(1, UUID.class), new AccountId(rs.getObject(2, UUID.class)),
                        rs.getString(3), rs.getString(4)))
                .list();
    }
}
