package io.mailtree.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.Times;
import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import io.mailtree.support.MailtreeTestBase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Webhook deliveries end to end, to a real HTTP endpoint in the test on loopback: events of the
 * outcome stream and published events arrive batched and signed (verified with the specification's
 * steps), failures are retried with backoff and given up after 24 hours, 410 disables the endpoint,
 * a hanging endpoint times out without holding a database transaction or the other deliveries, a
 * 10 MB answer is cut at 64 KB, redirects are not followed, the address is checked again at send
 * time, and a replay of the consumer enqueues nothing twice. Loopback is allowed here
 * ({@code mailtree.webhooks.allow-private-networks=127.0.0.0/8}) and only here: the refusals with
 * the default setting are in {@link WebhooksIntegrationTests}.
 */
@TestPropertySource(properties = {"mailtree.webhooks.allow-private-networks=127.0.0.0/8",
        "mailtree.webhooks.read-timeout=2s", "mailtree.webhooks.connect-timeout=2s",
        "mailtree.webhooks.retry-base=1s", "mailtree.webhooks.poll=100ms"})
class WebhookDeliveryIntegrationTests extends MailtreeTestBase {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    Webhooks webhooks;
    @Autowired
    PlatformTransactionManager transactionManager;

    private WebhookReceiver receiver;
    private Master master;

    @BeforeEach
    void start() throws Exception {
        receiver = new WebhookReceiver();
        master = master("pro-1000");
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private record Endpoint(String id, String secret) {
    }

    private Endpoint endpoint(Api api, String path, String... types) {
        StringBuilder list = new StringBuilder();
        for (String type : types) {
            list.append(list.length() == 0 ? "" : ",").append('"').append(type).append('"');
        }
        Api.Response created = api.post("/api/v1/webhooks", "{\"url\":\"" + receiver.url(path) + "\",\"eventTypes\":["
                + list + "]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new Endpoint(created.json().get("id").asString(), created.json().get("secret").asString());
    }

    private void append(String account, String type, String recipient, String bounceClass) {
        jdbc.sql("""
                insert into message_event (account_id, message_id, event_type, recipient, bounce_class, detail, occurred_at)
                values (?, 42, ?, ?, ?, ?, ?)""")
                .params(UUID.fromString(account), type, recipient, bounceClass,
                        bounceClass == null ? null : bounceClass.toLowerCase() + ": 550 5.1.1 user unknown",
                        Times.sql(Instant.now())).update();
    }

    private List<Map<String, Object>> deliveries(String endpoint) {
        return jdbc.sql("select * from webhook_delivery where endpoint_id = ? order by id")
                .param(UUID.fromString(endpoint)).query().listOfRows();
    }

    private List<Map<String, Object>> attempts(String endpoint) {
        return jdbc.sql("select * from webhook_attempt where endpoint_id = ? order by id")
                .param(UUID.fromString(endpoint)).query().listOfRows();
    }

    @Test
    void deliveredAndBouncedEventsArriveBatchedAndSigned() throws Exception {
        Endpoint endpoint = endpoint(master.api(), "/hook", "message.delivered", "message.bounced");
        append(master.id(), "ACCEPTED", null, null);
        append(master.id(), "DELIVERED", "ann@example.test", null);
        append(master.id(), "BOUNCED", "bob@example.test", "HARD");
        append(master.id(), "DEFERRED", "cid@example.test", null);

        Eventually.afterConsumers(() -> assertThat(receiver.at("/hook")).isNotEmpty());
        Eventually.afterConsumers(() -> assertThat(receiver.at("/hook").stream()
                .mapToInt(r -> JSON.readTree(r.body()).size()).sum()).isEqualTo(2));
        for (WebhookReceiver.Received request : receiver.at("/hook")) {
            WebhookReceiver.assertSigned(request, endpoint.secret());
            assertThat(request.header("webhook-id")).startsWith("msg_");
            assertThat(request.header("content-type")).isEqualTo("application/json");
            assertThat(request.host()).isEqualTo("127.0.0.1:" + receiver.port());
            assertThat(WebhookReceiver.verifies(request, WebhookSignatures.newSecret(), Duration.ofMinutes(5)))
                    .as("another secret does not verify").isFalse();
        }
        List<JsonNode> events = receiver.at("/hook").stream()
                .flatMap(r -> java.util.stream.StreamSupport.stream(JSON.readTree(r.body()).spliterator(), false)).toList();
        assertThat(events).extracting(e -> e.get("type").asString())
                .containsExactly("message.delivered", "message.bounced");
        assertThat(events.get(1).get("data").get("recipient").asString()).isEqualTo("bob@example.test");
        assertThat(events.get(1).get("data").get("bounceClass").asString()).isEqualTo("HARD");
        assertThat(events.get(0).get("id").asString()).startsWith("evt_");
        Eventually.afterConsumers(() -> assertThat(deliveries(endpoint.id())).allMatch(d -> d.get("status").equals("DELIVERED")));
        assertThat(attempts(endpoint.id())).allMatch(a -> ((Number) a.get("status_code")).intValue() == 200);
    }

    @Test
    void aFailedDeliveryIsRetriedWithGrowingDelaysUntilItSucceeds() {
        receiver.script("/flaky", (exchange, call) -> WebhookReceiver.respond(exchange, call <= 2 ? 500 : 204, "boom"));
        Endpoint endpoint = endpoint(master.api(), "/flaky", "message.delivered");
        append(master.id(), "DELIVERED", "ann@example.test", null);

        Eventually.within(Duration.ofSeconds(40), () -> assertThat(receiver.at("/flaky")).hasSize(3));
        Eventually.afterConsumers(() -> assertThat(deliveries(endpoint.id()).get(0).get("status")).isEqualTo("DELIVERED"));
        List<WebhookReceiver.Received> tries = receiver.at("/flaky");
        assertThat(tries).extracting(r -> r.header("webhook-id")).as("the same message id on every retry")
                .containsOnly(tries.get(0).header("webhook-id"));
        Duration first = Duration.between(tries.get(0).at(), tries.get(1).at());
        Duration second = Duration.between(tries.get(1).at(), tries.get(2).at());
        // retry-base 1 s with equal jitter: the first wait is 0.5–1 s, the second 1–2 s
        assertThat(first).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        assertThat(second).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(attempts(endpoint.id())).extracting(a -> ((Number) a.get("status_code")).intValue())
                .containsExactly(500, 500, 204);
        assertThat(attempts(endpoint.id()).get(0).get("response_body")).isEqualTo("boom");
    }

    @Test
    void aDeliveryFailingFor24HoursIsGivenUp() {
        receiver.script("/down", (exchange, call) -> WebhookReceiver.respond(exchange, 503, ""));
        Endpoint endpoint = endpoint(master.api(), "/down", "message.delivered");
        append(master.id(), "DELIVERED", "ann@example.test", null);
        Eventually.afterConsumers(() -> assertThat(receiver.at("/down")).isNotEmpty());
        assertThat(deliveries(endpoint.id()).get(0).get("status")).isEqualTo("PENDING");

        advanceClock(Duration.ofHours(25));
        Eventually.afterConsumers(() -> assertThat(deliveries(endpoint.id()).get(0).get("status")).isEqualTo("FAILED"));
        assertThat((String) deliveries(endpoint.id()).get(0).get("last_error")).startsWith("given up");
        int tries = receiver.at("/down").size();
        advanceClock(Duration.ofHours(2));
        sleep(1500);
        assertThat(receiver.at("/down")).as("no attempt after giving up").hasSize(tries);
    }

    @Test
    void gone410DisablesTheEndpointVisiblyAndStopsItsDeliveries() {
        receiver.script("/gone", (exchange, call) -> WebhookReceiver.respond(exchange, 410, "gone"));
        Endpoint endpoint = endpoint(master.api(), "/gone", "message.delivered");
        append(master.id(), "DELIVERED", "ann@example.test", null);
        Eventually.afterConsumers(() -> assertThat(master.api().get("/api/v1/webhooks/" + endpoint.id()).json()
                .get("enabled").asBoolean()).isFalse());
        JsonNode json = master.api().get("/api/v1/webhooks/" + endpoint.id()).json();
        assertThat(json.get("disabledReason").asString()).isEqualTo("GONE");
        assertThat(deliveries(endpoint.id()).get(0).get("status")).isEqualTo("FAILED");

        append(master.id(), "DELIVERED", "bob@example.test", null);
        master.api().post("/api/v1/webhooks/" + endpoint.id() + "/test", null);
        sleep(1500);
        assertThat(receiver.at("/gone")).as("nothing more is sent to a disabled endpoint").hasSize(1);
    }

    @Test
    void aHangingEndpointTimesOutWithoutHoldingATransactionOrTheOtherDeliveries() throws Exception {
        receiver.script("/hang", (exchange, call) -> WebhookReceiver.hang(receiver.release));
        Endpoint hanging = endpoint(master.api(), "/hang", "message.delivered");
        Master other = master("pro-1000");
        Endpoint quick = endpoint(other.api(), "/quick", "message.delivered");
        append(master.id(), "DELIVERED", "ann@example.test", null);
        Eventually.afterConsumers(() -> assertThat(receiver.at("/hang")).isNotEmpty());
        append(other.id(), "DELIVERED", "bob@example.test", null);

        // While the endpoint hangs: the claim is committed (its lease is visible from here) and no connection of
        // the application sits in an open transaction; the other account's delivery goes out meanwhile.
        assertThat(deliveries(hanging.id()).get(0).get("lease_until")).isNotNull();
        Eventually.afterConsumers(() -> assertThat(receiver.at("/quick")).hasSize(1));
        assertThat(jdbc.sql("""
                select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
                  and state like 'idle in transaction%' and xact_start < now() - interval '1 second'""")
                .query(Long.class).single()).isZero();

        Eventually.within(Duration.ofSeconds(15), () -> assertThat(attempts(hanging.id())).isNotEmpty());
        Map<String, Object> attempt = attempts(hanging.id()).get(0);
        assertThat(attempt.get("status_code")).isNull();
        assertThat((String) attempt.get("error")).startsWith("timed out");
        assertThat(((Number) attempt.get("duration_ms")).intValue()).isBetween(1500, 8000);
        assertThat(deliveries(hanging.id()).get(0).get("status")).isEqualTo("PENDING");
        WebhookReceiver.assertSigned(receiver.at("/quick").get(0), quick.secret());
    }

    @Test
    void aTenMegabyteAnswerIsCutAt64Kilobytes() {
        byte[] chunk = "x".repeat(64 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        receiver.script("/huge", (exchange, call) -> {
            exchange.sendResponseHeaders(200, 160L * chunk.length);
            try (var out = exchange.getResponseBody()) {
                for (int i = 0; i < 160; i++) {
                    out.write(chunk);
                }
            }
        });
        Endpoint endpoint = endpoint(master.api(), "/huge", "message.delivered");
        append(master.id(), "DELIVERED", "ann@example.test", null);
        Eventually.afterConsumers(() -> assertThat(attempts(endpoint.id())).isNotEmpty());
        Map<String, Object> attempt = attempts(endpoint.id()).get(0);
        assertThat(((String) attempt.get("response_body")).length()).isEqualTo(64 * 1024);
        assertThat((String) attempt.get("error")).contains("not read");
        assertThat(((Number) attempt.get("status_code")).intValue()).isEqualTo(200);
        assertThat(deliveries(endpoint.id()).get(0).get("status")).isEqualTo("DELIVERED");
    }

    @Test
    void aRedirectIsNotFollowedAndCountsAsAFailure() throws Exception {
        try (WebhookReceiver internal = new WebhookReceiver()) {
            receiver.script("/moved", (exchange, call) -> {
                exchange.getResponseHeaders().add("Location", internal.url("/admin"));
                WebhookReceiver.respond(exchange, 302, "");
            });
            Endpoint endpoint = endpoint(master.api(), "/moved", "message.delivered");
            append(master.id(), "DELIVERED", "ann@example.test", null);
            Eventually.afterConsumers(() -> assertThat(attempts(endpoint.id())).isNotEmpty());
            Map<String, Object> attempt = attempts(endpoint.id()).get(0);
            assertThat(((Number) attempt.get("status_code")).intValue()).isEqualTo(302);
            assertThat((String) attempt.get("error")).contains("not followed");
            assertThat(deliveries(endpoint.id()).get(0).get("status")).isEqualTo("PENDING");
            sleep(500);
            assertThat(internal.at("/admin")).as("the redirect target is never called").isEmpty();
        }
    }

    /** A URL that passed when saved but points elsewhere now (here: changed under it) is refused at send time. */
    @Test
    void theAddressIsCheckedAgainAtSendTime() {
        Endpoint endpoint = endpoint(master.api(), "/later", "message.delivered");
        jdbc.sql("update webhook_endpoint set url = 'http://169.254.169.254/latest/meta-data/' where id = ?")
                .param(UUID.fromString(endpoint.id())).update();
        append(master.id(), "DELIVERED", "ann@example.test", null);
        Eventually.afterConsumers(() -> assertThat(attempts(endpoint.id())).isNotEmpty());
        Map<String, Object> attempt = attempts(endpoint.id()).get(0);
        assertThat(attempt.get("status_code")).isNull();
        assertThat((String) attempt.get("error")).startsWith("refused").contains("169.254.169.254");
    }

    @Test
    void aRotatedSecretSignsBesideTheNewOneDuringItsGrace() throws Exception {
        Endpoint endpoint = endpoint(master.api(), "/rotated", "message.delivered");
        Api.Response rotated = master.api().post("/api/v1/webhooks/" + endpoint.id() + "/rotate-secret",
                "{\"graceHours\":2}");
        assertThat(rotated.status()).isEqualTo(200);
        String newSecret = rotated.json().get("secret").asString();
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(endpoint.secret());
        assertThat(master.api().post("/api/v1/webhooks/" + endpoint.id() + "/test", null).status()).isEqualTo(202);
        Eventually.afterConsumers(() -> assertThat(receiver.at("/rotated")).hasSize(1));
        WebhookReceiver.Received request = receiver.at("/rotated").get(0);
        assertThat(request.header("webhook-signature").split(" ")).hasSize(2);
        WebhookReceiver.assertSigned(request, newSecret);
        WebhookReceiver.assertSigned(request, endpoint.secret());
        assertThat(JSON.readTree(request.body()).get(0).get("type").asString()).isEqualTo("test");

        advanceClock(Duration.ofHours(3));
        master.api().post("/api/v1/webhooks/" + endpoint.id() + "/test", null);
        Eventually.afterConsumers(() -> assertThat(receiver.at("/rotated")).hasSize(2));
        WebhookReceiver.Received later = receiver.at("/rotated").get(1);
        assertThat(later.header("webhook-signature").split(" ")).as("the grace is over").hasSize(1);
        assertThat(WebhookReceiver.verifies(later, endpoint.secret(), Duration.ofDays(1))).isFalse();
    }

    /** The facade the reputation feature calls: the event is written in the caller's transaction, or not at all. */
    @Test
    void aPublishedKeyAlertGoesOutOnlyIfTheCallersTransactionCommits() throws Exception {
        Endpoint endpoint = endpoint(master.api(), "/alerts", "key.paused");
        Endpoint deliveredOnly = endpoint(master.api(), "/other", "message.delivered");
        AccountId account = id(master.id());
        TransactionTemplate transaction = new TransactionTemplate(transactionManager);
        transaction.executeWithoutResult(status -> {
            webhooks.publish(account, WebhookEventTypes.KEY_PAUSED, Map.of("keyId", "rolled-back"));
            status.setRollbackOnly();
        });
        Integer written = transaction.execute(status -> webhooks.publish(account, WebhookEventTypes.KEY_PAUSED,
                Map.of("keyId", "k-1", "complaintRate", 0.004)));
        assertThat(written).isEqualTo(1);
        Eventually.afterConsumers(() -> assertThat(receiver.at("/alerts")).hasSize(1));
        WebhookReceiver.assertSigned(receiver.at("/alerts").get(0), endpoint.secret());
        JsonNode event = JSON.readTree(receiver.at("/alerts").get(0).body()).get(0);
        assertThat(event.get("type").asString()).isEqualTo("key.paused");
        assertThat(event.get("data").get("keyId").asString()).isEqualTo("k-1");
        sleep(500);
        assertThat(receiver.at("/alerts")).as("the rolled-back event never went out").hasSize(1);
        assertThat(deliveries(deliveredOnly.id())).as("not subscribed").isEmpty();
    }

    /** Moving the consumer back over events it already applied (a replay) enqueues nothing twice. */
    @Test
    void aReplayOfTheConsumerEnqueuesNothingTwice() {
        Endpoint endpoint = endpoint(master.api(), "/replay", "message.delivered");
        for (int i = 0; i < 5; i++) {
            append(master.id(), "DELIVERED", "r" + i + "@example.test", null);
        }
        Eventually.afterConsumers(() -> assertThat(receiver.at("/replay").stream()
                .mapToInt(r -> JSON.readTree(r.body()).size()).sum()).isEqualTo(5));
        int rows = deliveries(endpoint.id()).size();
        long first = jdbc.sql("select min(id) from message_event where account_id = ?").param(UUID.fromString(master.id()))
                .query(Long.class).single();
        jdbc.sql("update event_consumer set position_tx = 0, position_id = ? where name = 'tracking.webhooks'")
                .param(first - 1).update();
        Master marker = master("pro-1000");
        Endpoint markerEndpoint = endpoint(marker.api(), "/marker", "message.delivered");
        append(marker.id(), "DELIVERED", "m@example.test", null);
        // Once the marker's event arrives, the consumer has read the replayed ones before it again.
        Eventually.afterConsumers(() -> assertThat(receiver.at("/marker")).hasSize(1));
        assertThat(deliveries(endpoint.id())).hasSize(rows);
        assertThat(receiver.at("/replay").stream().mapToInt(r -> JSON.readTree(r.body()).size()).sum()).isEqualTo(5);
        assertThat(deliveries(markerEndpoint.id())).hasSize(1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
