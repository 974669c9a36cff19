package io.mailtree.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.Times;
import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Webhooks on the embedded H2 default (no SKIP LOCKED, the append lock as the stream's horizon): a
 * delivery event and a test event reach a real endpoint, signed. Loopback is allowed for this
 * context only, as in {@link WebhookDeliveryIntegrationTests}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "mailtree.data-dir=target/h2-webhooks-it-${random.uuid}", "mailtree.operator.token=h2-webhooks-token",
    "mailtree.submission-port=0", "mailtree.inbound-port=0",
    "mailtree.webhooks.allow-private-networks=127.0.0.0/8", "mailtree.webhooks.poll=100ms"})
class H2WebhooksIntegrationTests {

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;

    @Test
    void eventsReachASignedEndpointOnH2() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            Api.Response created = Api.operator(port, "h2-webhooks-token").post("/api/platform/v1/masters",
                    "{\"name\":\"H2 hooks\",\"ownerEmail\":\"h2-hooks-" + UUID.randomUUID().toString().substring(0, 8)
                            + "@example.test\",\"plan\":\"pro-1000\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String account = created.json().get("master").get("id").asString();
            Api api = Api.withKey(port, created.json().get("apiKey"));
            Api.Response endpoint = api.post("/api/v1/webhooks", "{\"url\":\"" + receiver.url("/h2")
                    + "\",\"eventTypes\":[\"message.complained\"]}");
            assertThat(endpoint.status()).as(endpoint.toString()).isEqualTo(201);
            String secret = endpoint.json().get("secret").asString();

            jdbc.sql("""
                    insert into message_event (account_id, message_id, event_type, recipient, occurred_at)
                    values (?, 9, 'COMPLAINED', 'ann@example.test', ?)""")
                    .params(UUID.fromString(account), Times.sql(Instant.now())).update();
            Eventually.afterConsumers(() -> assertThat(receiver.at("/h2")).hasSize(1));
            WebhookReceiver.assertSigned(receiver.at("/h2").get(0), secret);
            assertThat(JsonMapper.builder().build().readTree(receiver.at("/h2").get(0).body()).get(0).get("type")
                    .asString()).isEqualTo("message.complained");

            assertThat(api.post("/api/v1/webhooks/" + endpoint.json().get("id").asString() + "/test", null).status())
                    .isEqualTo(202);
            Eventually.afterConsumers(() -> assertThat(receiver.at("/h2")).hasSize(2));
            WebhookReceiver.assertSigned(receiver.at("/h2").get(1), secret);
        }
    }
}
