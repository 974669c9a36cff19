package io.mailtree.accounts;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.shared.outcomes.OutcomeType;
import io.mailtree.shared.outcomes.OutcomeConsumer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * D-10's clock: an account's last send moves to the time of its latest delivery. One update per
 * account a batch, in account order (so two nodes never wait on each other's rows crosswise), and
 * only forward: applying the same events twice changes nothing.
 */
@Component
class OutcomeLastSend implements OutcomeConsumer {

    static final String NAME = "accounts.last-send";

    private final Accounts accounts;

    OutcomeLastSend(Accounts accounts) {
        this.accounts = accounts;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void apply(List<Outcome> outcomes) {
        Map<AccountId, Instant> latest = new TreeMap<>(java.util.Comparator.comparing(AccountId::value));
        for (Outcome outcome : outcomes) {
            if (outcome.type() == OutcomeType.DELIVERED) {
                latest.merge(outcome.account(), outcome.occurredAt(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        latest.forEach(accounts::recordSend);
    }
}
