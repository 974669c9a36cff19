package io.mailtree.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import io.mailtree.support.SmtpSubmissions;
import jakarta.mail.MessagingException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;

/**
 * D-31 at the accept path: sub-accounts draw on their master's credits, a send past the credits or a
 * sub-account's cap is refused with credits_exhausted (HTTP 402, SMTP 452 4.3.1) while what was
 * accepted before still goes out, concurrent accepts never overshoot, and the master is alerted at
 * 80 % and 100 % once per crossing.
 */
class CreditsIntegrationTests extends BillingTestSupport {

    @Value("${mailtree.submission-port}")
    int submissionPort;

    @Test
    @DisplayName("D-31: a sub-account draws on its master's credits; past them a send is refused with 402 credits_exhausted and nothing accepted before is lost")
    void d31SubaccountsDrawOnTheMastersCreditsAndRefusalLosesNothing() {
        Master master = prepaidMaster(3);
        String subId = subaccount(master, null);
        Api sub = master.api().onBehalfOf(subId);
        String masterFrom = confirmedSender(master.api());
        String subFrom = confirmedSender(sub);
        String a = uniqueEmail("d31-a");
        String b = uniqueEmail("d31-b");
        String c = uniqueEmail("d31-c");

        assertThat(send(sub, subFrom, a, b).status()).isEqualTo(200);
        assertThat(send(master.api(), masterFrom, c).status()).isEqualTo(200);
        JsonNode tree = usage(master.api());
        assertThat(tree.get("credits").get("used").asLong()).as("the sub-account's sends are the master's").isEqualTo(3);
        assertThat(tree.get("credits").get("left").asLong()).isZero();

        Api.Response refused = send(sub, subFrom, uniqueEmail("d31-d"));
        assertThat(refused.status()).isEqualTo(402);
        assertThat(refused.code()).isEqualTo("credits_exhausted");
        assertThat(refused.json().get("available").asLong()).isZero();
        assertThat(refused.json().get("limit").asLong()).isEqualTo(3);
        assertThat(refused.json().get("scope").asString()).isEqualTo("CREDITS");
        assertThat(messagesOf(subId)).as("the refused call queued nothing").isEqualTo(2);
        Api.Response alsoRefused = send(master.api(), masterFrom, uniqueEmail("d31-e"));
        assertThat(alsoRefused.status()).isEqualTo(402);

        // What was accepted before the credits ran out still goes out, and is metered to each account.
        awaitMailTo(a, 1);
        awaitMailTo(b, 1);
        awaitMailTo(c, 1);
        Eventually.afterConsumers(() -> {
            assertThat(meteredFor(master.id(), subId)).isEqualTo(2);
            assertThat(meteredFor(master.id(), master.id())).isEqualTo(1);
        });
        JsonNode lines = usage(master.api()).get("accounts");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("master").asBoolean()).isTrue();
        assertThat(lines.get(0).get("accepted").asLong()).isEqualTo(1);
        JsonNode subLine = lines.get(1);
        assertThat(subLine.get("accountId").asString()).isEqualTo(subId);
        assertThat(subLine.get("accepted").asLong()).isEqualTo(2);

        // A top-up lets the tree send again.
        operator().post("/api/platform/v1/billing/masters/" + master.id() + "/top-ups", "{\"credits\":1}");
        assertThat(send(sub, subFrom, uniqueEmail("d31-f")).status()).isEqualTo(200);
        assertThat(usage(sub).get("accounts")).as("a sub-account sees its own line only").hasSize(1);
        assertThat(master.api().get("/api/v1/audit").body()).contains("billing.credits_topped_up");
    }

    @Test
    @DisplayName("D-31: over SMTP submission, exhausted credits answer 452 4.3.1 credits_exhausted and queue nothing")
    void d31SmtpSubmissionRefusedWith452() throws Exception {
        Api.Response created = operator().post("/api/platform/v1/masters",
                "{\"name\":\"SMTP billing\",\"ownerEmail\":\"" + uniqueEmail("smtp-billing") + "\",\"plan\":\"pay-per-send\"}");
        JsonNode key = created.json().get("apiKey");
        Master master = new Master(created.json().get("master").get("id").asString(), Api.withKey(port, key));
        operator().post("/api/platform/v1/billing/masters/" + master.id() + "/top-ups", "{\"credits\":1}");
        String from = confirmedSender(master.api());
        SmtpSubmissions.submit(submissionPort, key.get("publicKey").asString(), key.get("secret").asString(), from,
                uniqueEmail("smtp-ok"), "Within the credits");
        assertThatThrownBy(() -> SmtpSubmissions.submit(submissionPort, key.get("publicKey").asString(),
                key.get("secret").asString(), from, uniqueEmail("smtp-refused"), "Past the credits"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("452").hasMessageContaining("4.3.1").hasMessageContaining("credits_exhausted");
        assertThat(messagesOf(master.id())).isEqualTo(1);
    }

    @Test
    @DisplayName("D-31: concurrent sends never take more than the credits: exactly the credits are accepted, the rest refused")
    void d31ConcurrentAcceptsNeverOvershoot() throws Exception {
        Master master = prepaidMaster(10);
        String from = confirmedSender(master.api());
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                answers.add(pool.submit(() -> send(master.api(), from, uniqueEmail("race")).status()));
            }
            int accepted = 0;
            int refused = 0;
            for (Future<Integer> answer : answers) {
                int status = answer.get(60, TimeUnit.SECONDS);
                if (status == 200) {
                    accepted++;
                } else if (status == 402) {
                    refused++;
                }
            }
            assertThat(accepted).isEqualTo(10);
            assertThat(refused).isEqualTo(14);
        } finally {
            pool.shutdownNow();
        }
        assertThat(messagesOf(master.id())).isEqualTo(10);
        assertThat(usage(master.api()).get("credits").get("used").asLong()).isEqualTo(10);
    }

    @Test
    @DisplayName("D-31: a sub-account's monthly cap refuses past it (scope CAP) while its master still sends; 80 % and 100 % alert once per crossing")
    void d31CapRefusesAndAlertsOncePerCrossing() {
        Master master = master("volume-15k");
        String subId = subaccount(master, null);
        Api sub = master.api().onBehalfOf(subId);
        String subFrom = confirmedSender(sub);
        String masterFrom = confirmedSender(master.api());
        Api.Response capped = master.api().send("PUT", "/api/v1/billing/caps/" + subId, "{\"monthlyCap\":5}");
        assertThat(capped.status()).isEqualTo(200);

        List<String> readers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            readers.add(uniqueEmail("cap"));
        }
        assertThat(send(sub, subFrom, readers.subList(0, 3).toArray(String[]::new)).status()).isEqualTo(200);
        awaitMailTo(readers.get(2), 1);
        Eventually.afterConsumers(() -> assertThat(meteredFor(master.id(), subId)).isEqualTo(3));
        assertThat(alerts(subId)).as("60 %: no alert yet").isEmpty();

        assertThat(send(sub, subFrom, readers.get(3)).status()).isEqualTo(200);
        awaitMailTo(readers.get(3), 1);
        Eventually.afterConsumers(() -> assertThat(alerts(subId)).containsExactly(80));

        assertThat(send(sub, subFrom, readers.get(4)).status()).isEqualTo(200);
        Api.Response refused = send(sub, subFrom, uniqueEmail("cap-over"));
        assertThat(refused.status()).isEqualTo(402);
        assertThat(refused.code()).isEqualTo("credits_exhausted");
        assertThat(refused.json().get("scope").asString()).isEqualTo("CAP");
        assertThat(send(master.api(), masterFrom, uniqueEmail("cap-master")).status())
                .as("the master's credits are not the sub-account's cap").isEqualTo(200);
        awaitMailTo(readers.get(4), 1);
        Eventually.afterConsumers(() -> assertThat(alerts(subId)).containsExactly(80, 100));

        // More deliveries at the same level raise nothing more.
        Master marker = master("pro-1000");
        long markerMessage = nextMessageId();
        append(marker.id(), null, markerMessage, "DELIVERED", "m@example.test", clock().instant());
        Eventually.afterConsumers(() -> assertThat(metered(marker.id())).isEqualTo(1));
        assertThat(alerts(subId)).containsExactly(80, 100);

        // A higher cap brings it below the marks; the next crossing alerts again.
        master.api().send("PUT", "/api/v1/billing/caps/" + subId, "{\"monthlyCap\":10}");
        String more = uniqueEmail("cap-more");
        assertThat(send(sub, subFrom, uniqueEmail("cap-6"), uniqueEmail("cap-7"), more).status()).isEqualTo(200);
        awaitMailTo(more, 1);
        Eventually.afterConsumers(() -> assertThat(alerts(subId)).containsExactly(80, 100, 80));
        assertThat(master.api().get("/api/v1/audit").body()).contains("billing.cap_set");
        String owner = jdbc.sql("select email from app_user where account_id = ?").param(UUID.fromString(master.id()))
                .query(String.class).single();
        assertThat(awaitMailTo(owner, 4)).contains("80 %").contains("monthly cap");
    }

    @Test
    @DisplayName("D-31: caps are the master's: another master's sub-account answers 404, a sub-account setting one 403, a bad cap 400")
    void capsTenancyAndBadInput() {
        Master master = master("volume-15k");
        String subId = subaccount(master, null);
        Master other = master("volume-15k");
        String otherSub = subaccount(other, null);
        Api.Response foreign = master.api().send("PUT", "/api/v1/billing/caps/" + otherSub, "{\"monthlyCap\":5}");
        assertThat(foreign.status()).isEqualTo(404);
        Api.Response bySub = master.api().onBehalfOf(subId).send("PUT", "/api/v1/billing/caps/" + subId,
                "{\"monthlyCap\":5}");
        assertThat(bySub.status()).isEqualTo(403);
        assertThat(bySub.code()).isEqualTo("masters_only");
        Api.Response negative = master.api().send("PUT", "/api/v1/billing/caps/" + subId, "{\"monthlyCap\":-1}");
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.code()).isEqualTo("invalid_cap");
        assertThat(jdbc.sql("select monthly_cap from billing_account_usage where account_id = ?")
                .param(UUID.fromString(otherSub)).query(Long.class).optional()).isEmpty();
        Api.Response notPrepaid = operator().post("/api/platform/v1/billing/masters/" + master.id() + "/top-ups",
                "{\"credits\":5}");
        assertThat(notPrepaid.status()).isEqualTo(409);
        assertThat(notPrepaid.code()).isEqualTo("not_a_prepaid_plan");
    }

    List<Integer> alerts(String account) {
        return jdbc.sql("select level from billing_alert where account_id = ? order by id")
                .param(UUID.fromString(account)).query(Integer.class).list();
    }
}
