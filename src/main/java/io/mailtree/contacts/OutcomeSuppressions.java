package io.mailtree.contacts;

import io.mailtree.accounts.AccountTree;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.shared.outcomes.OutcomeConsumer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Contacts' reaction to delivery outcomes: a hard bounce puts the address on the account's
 * suppression list ({@code HARD_BOUNCE}) and marks its subscribed contact {@code BOUNCED}; a
 * complaint does the same with {@code COMPLAINT} and {@code COMPLAINED}. The suppression
 * remembers the key whose mail caused it (D-20), so a key's problem addresses can be listed as its own. Idempotent: an address
 * already suppressed stays as it is and a contact no longer subscribed is not touched, so a replay
 * changes nothing. Each batch costs a few queries per account, whatever its size, plus one update
 * per contact whose status changes.
 */
@Component
class OutcomeSuppressions implements OutcomeConsumer {

    static final String NAME = "contacts.suppressions";
    private static final Logger log = LoggerFactory.getLogger(OutcomeSuppressions.class);

    private final Suppressions suppressions;
    private final Contacts contacts;
    private final AccountTree accounts;
    private final JdbcClient jdbc;

    OutcomeSuppressions(Suppressions suppressions, Contacts contacts, AccountTree accounts, JdbcClient jdbc) {
        this.suppressions = suppressions;
        this.contacts = contacts;
        this.accounts = accounts;
        this.jdbc = jdbc;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void apply(List<Outcome> outcomes) {
        // The first outcome for an address in the batch decides; a later one would change nothing.
        Map<AccountId, Map<String, Effect>> byAccount = new LinkedHashMap<>();
        for (Outcome outcome : outcomes) {
            if (!outcome.isHardBounce() && !outcome.isComplaint()) {
                continue;
            }
            String address;
            try {
                address = EmailAddresses.normalise(outcome.recipient());
            } catch (RuntimeException invalid) {
                log.warn("outcome {} names no valid address; skipped", outcome.position());
                continue;
            }
            Effect effect = outcome.isHardBounce() ? new Effect(address, "HARD_BOUNCE", outcome.detail(),
                    ContactStatus.BOUNCED.name(), outcome.apiKeyId())
                    : new Effect(address, "COMPLAINT", outcome.detail(), ContactStatus.COMPLAINED.name(),
                    outcome.apiKeyId());
            byAccount.computeIfAbsent(outcome.account(), a -> new LinkedHashMap<>())
                    .putIfAbsent(EmailAddresses.contactKey(address), effect);
        }
        byAccount.forEach((account, effects) -> {
            if (accounts.find(account).isEmpty()) {
                log.warn("outcomes of unknown account {} skipped", account);
                return;
            }
            suppressions.addMissing(account, effects.values().stream()
                    .map(e -> new Suppressions.Entry(e.address(), e.reason(), e.detail(), e.apiKeyId())).toList());
            mark(account, effects);
        });
    }

    private record Effect(String address, String reason, String detail, String contactStatus, java.util.UUID apiKeyId) {
    }

    /** Marks the account's subscribed contacts among these addresses, found with one query a chunk. */
    private void mark(AccountId account, Map<String, Effect> effects) {
        List<String> keys = new ArrayList<>(effects.keySet());
        for (int from = 0; from < keys.size(); from += 500) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + 500));
            List<Object> params = new ArrayList<>();
            params.add(account.value());
            params.addAll(chunk);
            record Subscribed(long id, String key) {
            }
            List<Subscribed> subscribed = jdbc.sql("select id, email_key from contact where account_id = ? and status = '"
                    + ContactStatus.SUBSCRIBED.name() + "' and email_key in ("
                    + SqlLists.placeholders(chunk.size()) + ") order by id")
                    .params(params).query((rs, n) -> new Subscribed(rs.getLong(1), rs.getString(2))).list();
            for (Subscribed contact : subscribed) {
                contacts.update(account, contact.id(), null, effects.get(contact.key()).contactStatus(), null);
            }
        }
    }
}
