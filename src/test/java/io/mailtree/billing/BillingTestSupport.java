package io.mailtree.billing;

import io.mailtree.shared.Times;
import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** What the billing tests share: trees that can send, messages, metered events, and the next period. */
abstract class BillingTestSupport extends MailtreeTestBase {

    /** Message ids far above the queue's, for events appended straight to the stream. */
    private static final AtomicLong MESSAGE = new AtomicLong(9_000_000_000L + (System.nanoTime() % 1_000_000_000L));

    @Autowired
    Credits credits;
    @Autowired
    Invoices invoices;

    /** A pay-per-send master that may have sub-accounts (the operator's override), with {@code credits} bought. */
    Master prepaidMaster(long bought) {
        Master master = master("pay-per-send");
        Api.Response enabled = operator().patch("/api/platform/v1/masters/" + master.id(), "{\"subaccountsEnabled\":true}");
        if (enabled.status() != 200) {
            throw new IllegalStateException(enabled.toString());
        }
        if (bought > 0) {
            Api.Response topUp = operator().post("/api/platform/v1/billing/masters/" + master.id() + "/top-ups",
                    "{\"credits\":" + bought + "}");
            if (topUp.status() != 200) {
                throw new IllegalStateException(topUp.toString());
            }
        }
        return master;
    }

    String subaccount(Master master, Integer allocation) {
        Api.Response created = createSubaccount(master.api(), "Team " + UUID.randomUUID().toString().substring(0, 6),
                uniqueEmail("team"), null, allocation);
        if (created.status() != 201) {
            throw new IllegalStateException(created.toString());
        }
        return created.json().get("subaccount").get("id").asString();
    }

    /** A confirmed sender of the account {@code api} acts for. */
    String confirmedSender(Api api) {
        String address = "billing-" + UUID.randomUUID().toString().substring(0, 6) + "@billing.example.test";
        Api.Response added = api.post("/api/v1/senders", "{\"email\":\"" + address + "\",\"name\":\"Shop\"}");
        if (added.status() >= 300) {
            throw new IllegalStateException(added.toString());
        }
        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        return address;
    }

    static String message(String from, String to, String subject) {
        return "{\"from\":{\"email\":\"" + from + "\"},\"to\":[{\"email\":\"" + to + "\"}],\"subject\":\"" + subject
                + "\",\"text\":\"Hello\"}";
    }

    Api.Response send(Api api, String from, String... recipients) {
        StringBuilder body = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < recipients.length; i++) {
            body.append(i == 0 ? "" : ",").append(message(from, recipients[i], "Billing " + recipients[i]));
        }
        return api.post("/api/v1/send", body.append("]}").toString());
    }

    long messagesOf(String account) {
        return jdbc.sql("select count(*) from message where account_id = ?").param(UUID.fromString(account))
                .query(Long.class).single();
    }

    long nextMessageId() {
        return MESSAGE.incrementAndGet();
    }

    /** Appends an outcome event straight to the stream, as delivery writes it. */
    void append(String account, UUID key, long messageId, String type, String recipient, Instant at) {
        jdbc.sql("""
                insert into message_event (account_id, message_id, api_key_id, event_type, recipient, occurred_at)
                values (?, ?, ?, ?, ?, ?)""")
                .params(UUID.fromString(account), messageId, key, type, recipient, Times.sql(at)).update();
    }

    UUID primaryKey(String account) {
        return jdbc.sql("select id from api_key where account_id = ? and is_primary").param(UUID.fromString(account))
                .query(UUID.class).single();
    }

    long metered(String master) {
        return jdbc.sql("select coalesce(sum(sent), 0) from billing_usage where account_id = ?")
                .param(UUID.fromString(master)).query(Long.class).single();
    }

    long meteredFor(String master, String sender) {
        return jdbc.sql("select coalesce(sum(sent), 0) from billing_usage where account_id = ? and sender_id = ?")
                .params(UUID.fromString(master), UUID.fromString(sender)).query(Long.class).single();
    }

    /** Moves the clock into the next month (a day past its first), so this month has ended. */
    BillingPeriod moveToNextPeriod() {
        BillingPeriod now = BillingPeriod.of(clock().instant());
        Instant target = now.end().plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).plus(Duration.ofHours(12));
        advanceClock(Duration.between(clock().instant(), target));
        return now;
    }

    static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    JsonNode usage(Api api) {
        Api.Response usage = api.get("/api/v1/billing/usage");
        if (usage.status() != 200) {
            throw new IllegalStateException(usage.toString());
        }
        return usage.json();
    }
}
