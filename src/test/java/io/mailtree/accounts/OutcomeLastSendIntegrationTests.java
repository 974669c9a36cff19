package io.mailtree.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.Times;
import io.mailtree.support.Eventually;
import io.mailtree.support.MailtreeTestBase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * D-10's last send, kept by the accounts module's outcome consumer with the event stream as its only
 * input: a DELIVERED event moves the account's last send to its time, only forward (ADR 0010).
 */
class OutcomeLastSendIntegrationTests extends MailtreeTestBase {

    private void append(String account, String type, Instant at) {
        jdbc.sql("""
                insert into message_event (account_id, message_id, event_type, recipient, occurred_at)
                values (?, 7, ?, 'someone@example.test', ?)""")
                .params(UUID.fromString(account), type, Times.sql(at)).update();
    }

    private Instant lastSend(String account) {
        return jdbc.sql("select last_send_at from account where id = ?").param(UUID.fromString(account))
                .query((rs, n) -> Times.instant(rs, "last_send_at")).list().get(0);
    }

    @Test
    @DisplayName("D-10: a delivery event starts the account's last-send clock; an older one does not move it back")
    void d10DeliveryEventMovesLastSendForwardOnly() {
        Master master = master("pro-1000");
        Instant delivered = clock().instant().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MILLIS);
        append(master.id(), "ACCEPTED", delivered.plus(Duration.ofHours(1)));
        append(master.id(), "DELIVERED", delivered);
        Eventually.afterConsumers(() -> assertThat(lastSend(master.id())).isEqualTo(delivered));

        append(master.id(), "DELIVERED", delivered.minus(Duration.ofDays(3)));
        Master marker = master("pro-1000");
        append(marker.id(), "DELIVERED", delivered);
        // Once the marker's event is applied, the older one before it has been read too.
        Eventually.afterConsumers(() -> assertThat(lastSend(marker.id())).isEqualTo(delivered));
        assertThat(lastSend(master.id())).as("only forward").isEqualTo(delivered);
    }

    @Test
    @DisplayName("D-10: events that are not deliveries do not start the clock")
    void d10OnlyDeliveriesCount() {
        Master master = master("pro-1000");
        Master marker = master("pro-1000");
        Instant at = clock().instant().truncatedTo(ChronoUnit.MILLIS);
        append(master.id(), "ACCEPTED", at);
        append(master.id(), "BOUNCED", at);
        append(master.id(), "SUPPRESSED", at);
        append(marker.id(), "DELIVERED", at);
        Eventually.afterConsumers(() -> assertThat(lastSend(marker.id())).isEqualTo(at));
        assertThat(lastSend(master.id())).isNull();
    }
}
