package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.SentCounts;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.Times;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The accepted-message counts of {@link SentCounts}, from the hourly statistics of {@link MessageStatistics}. */
@Component
class AcceptedCounts implements SentCounts {

    /** A page of sub-accounts at a time: well below the drivers' parameter limits. */
    private static final int CHUNK = 500;

    private final JdbcClient jdbc;

    AcceptedCounts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Map<AccountId, Long> acceptedSince(Collection<AccountId> accounts, Instant since) {
        Map<AccountId, Long> counts = new HashMap<>();
        List<AccountId> all = new ArrayList<>(accounts);
        for (int from = 0; from < all.size(); from += CHUNK) {
            List<AccountId> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
            List<Object> params = new ArrayList<>();
            chunk.forEach(id -> params.add(id.value()));
            params.add(Times.sql(since.truncatedTo(ChronoUnit.HOURS)));
            jdbc.sql("select account_id, sum(event_count) as total from message_stat where account_id in ("
                    + SqlLists.placeholders(chunk.size()) + ") and hour_start >= ? and event_type = 'ACCEPTED'"
                    + " group by account_id")
                    .params(params)
                    .query((rs, n) -> Map.entry(new AccountId(rs.getObject("account_id", UUID.class)), rs.getLong("total")))
                    .list().forEach(e -> counts.put(e.getKey(), e.getValue()));
        }
        return counts;
    }
}
