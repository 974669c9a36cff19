package io.mailtree.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.Times;
import io.mailtree.shared.outcomes.Outcome;
import io.mailtree.shared.outcomes.StreamPosition;
import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import io.mailtree.support.MailtreeTestBase;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The contacts module's outcome consumer, with the event stream as its only input: events are
 * appended to the store as delivery and inbound write them, and the suppression list and contact
 * status follow (ADR 0010). No message is sent, no report received.
 */
class OutcomeSuppressionsIntegrationTests extends MailtreeTestBase {

    @Autowired
    OutcomeSuppressions consumer;
    @Autowired
    TransactionTemplate transactions;

    /** Appends one event for an account, as the event store holds it; answers it as the stream reads it. */
    private Outcome append(String account, String type, String recipient, String bounceClass, String detail) {
        var at = clock().instant();
        record Row(long id, long tx) {
        }
        Row row = jdbc.sql("""
                insert into message_event (account_id, message_id, event_type, recipient, bounce_class, detail, occurred_at)
                values (?, 42, ?, ?, ?, ?, ?) returning id, tx_id""")
                .params(UUID.fromString(account), type, recipient, bounceClass, detail, Times.sql(at))
                .query((rs, n) -> new Row(rs.getLong(1), rs.getLong(2))).single();
        return new Outcome(new StreamPosition(row.tx(), row.id()), new AccountId(UUID.fromString(account)), null, 42,
                io.mailtree.shared.outcomes.OutcomeType.valueOf(type), recipient, bounceClass, detail, at);
    }

    private static String contact(Api api, String email) {
        return api.get("/api/v1/contacts?q=" + email).json().get("items").get(0).get("status").asString();
    }

    private static JsonNode suppressions(Api api) {
        return api.get("/api/v1/suppressions").json().get("items");
    }

    @Test
    @DisplayName("A hard-bounce event suppresses the address and marks the contact bounced; a replay changes nothing")
    void hardBounceEventSuppressesAndMarksTheContact() {
        Master master = master("pro-1000");
        String address = uniqueEmail("bounced");
        master.api().post("/api/v1/contacts", "{\"email\":\"" + address + "\"}");
        assertThat(allowance(master.api()).get("ownActiveContacts").asInt()).isEqualTo(1);

        Outcome bounce = append(master.id(), "BOUNCED", address, "HARD", "hard: 550 5.1.1 user unknown");
        Eventually.afterConsumers(() -> {
            assertThat(suppressions(master.api())).hasSize(1);
            assertThat(suppressions(master.api()).get(0).get("email").asString()).isEqualTo(address);
            assertThat(suppressions(master.api()).get(0).get("reason").asString()).isEqualTo("HARD_BOUNCE");
            assertThat(contact(master.api(), address)).isEqualTo("BOUNCED");
        });
        assertThat(allowance(master.api()).get("ownActiveContacts").asInt()).as("the bounced contact left the count")
                .isZero();

        // The same events applied again (as after a crash between effect and position): nothing moves.
        transactions.executeWithoutResult(status -> consumer.apply(List.of(bounce, bounce)));
        assertThat(suppressions(master.api())).hasSize(1);
        assertThat(contact(master.api(), address)).isEqualTo("BOUNCED");
        assertThat(allowance(master.api()).get("ownActiveContacts").asInt()).isZero();
    }

    @Test
    @DisplayName("A complaint event suppresses the address and marks the contact as having complained")
    void complaintEventSuppressesAndMarksComplained() {
        Master master = master("pro-1000");
        String address = uniqueEmail("annoyed");
        master.api().post("/api/v1/contacts", "{\"email\":\"" + address + "\"}");
        append(master.id(), "COMPLAINED", address, null, "feedback type abuse");
        Eventually.afterConsumers(() -> {
            assertThat(suppressions(master.api())).hasSize(1);
            assertThat(suppressions(master.api()).get(0).get("reason").asString()).isEqualTo("COMPLAINT");
            assertThat(contact(master.api(), address)).isEqualTo("COMPLAINED");
        });
    }

    @Test
    @DisplayName("Soft bounces, policy blocks, deferrals and deliveries suppress nothing")
    void softOutcomesSuppressNothing() {
        Master master = master("pro-1000");
        String address = uniqueEmail("fine");
        String marker = uniqueEmail("marker");
        master.api().post("/api/v1/contacts", "{\"email\":\"" + address + "\"}");
        append(master.id(), "BOUNCED", address, "SOFT", "soft: no delivery within the retry horizon");
        append(master.id(), "BOUNCED", address, "BLOCK", "blocked: 554 5.7.1 message refused as spam");
        append(master.id(), "DEFERRED", address, null, "451 try later");
        append(master.id(), "DELIVERED", address, null, null);
        // A hard bounce after them: once it is applied, the earlier events have been read too.
        append(master.id(), "BOUNCED", marker, "HARD", "hard: 550");
        Eventually.afterConsumers(() -> assertThat(suppressions(master.api())).hasSize(1));
        assertThat(suppressions(master.api()).get(0).get("email").asString()).isEqualTo(marker);
        assertThat(contact(master.api(), address)).isEqualTo("SUBSCRIBED");
    }

    @Test
    @DisplayName("Tenancy: a hard bounce in one account leaves the same address in another account alone")
    void bounceStaysInItsAccount() {
        Master bouncing = master("pro-1000");
        Master other = master("pro-1000");
        String address = uniqueEmail("shared");
        bouncing.api().post("/api/v1/contacts", "{\"email\":\"" + address + "\"}");
        other.api().post("/api/v1/contacts", "{\"email\":\"" + address + "\"}");
        append(bouncing.id(), "BOUNCED", address, "HARD", "hard: 550");
        Eventually.afterConsumers(() -> assertThat(contact(bouncing.api(), address)).isEqualTo("BOUNCED"));
        assertThat(suppressions(other.api())).isEmpty();
        assertThat(contact(other.api(), address)).isEqualTo("SUBSCRIBED");
    }
}
