package io.mailtree.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import io.mailtree.support.InboundReports;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;

/**
 * The end-to-end proof of D-18 … D-20: an account with a MARKETING and a TRANSACTIONAL
 * key; the marketing key's mail draws ARF complaints through the inbound server past the pause
 * threshold; the key is paused once; the alert appears in the account, its master and the operator
 * console and arrives by e-mail; the transactional key's mail sent during and after keeps being
 * delivered; the marketing key's queued mail is held; the operator resumes the key, its held mail
 * goes out and it sends again.
 */
class KeyIsolationEndToEndIntegrationTests extends ReputationTestSupport {

    private static final String PASSWORD = "isolation-pass-1";

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.context.ApplicationContext context;

    @Value("${mailtree.inbound-port}")
    int inboundPort;

    /** A webhook endpoint of the account for the key events, at the test's own receiver. */
    private String webhookSecret(Api api, String path) {
        Api.Response created = api.post("/api/v1/webhooks", "{\"url\":\"http://127.0.0.1:" + hooks.getAddress().getPort()
                + path + "\",\"eventTypes\":[\"key.warned\",\"key.paused\",\"key.resumed\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("secret").asString();
    }

    /**
     * Verifies a delivery as the Standard Webhooks specification says a receiver does: the signed
     * content is {@code webhook-id.webhook-timestamp.body}, HMAC-SHA256 with the base64 key after
     * {@code whsec_}, compared in constant time with each {@code v1,} signature; the timestamp
     * within five minutes.
     */
    private static boolean signed(Hook hook, String secret) throws Exception {
        long timestamp = Long.parseLong(hook.headers().getFirst("webhook-timestamp"));
        if (Math.abs(java.time.Instant.now().getEpochSecond() - timestamp) > 300) {
            return false;
        }
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(
                java.util.Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        byte[] expected = mac.doFinal((hook.headers().getFirst("webhook-id") + "." + timestamp + "." + hook.body())
                .getBytes(StandardCharsets.UTF_8));
        for (String signature : hook.headers().getFirst("webhook-signature").split(" ")) {
            String[] parts = signature.split(",", 2);
            if (parts.length == 2 && parts[0].equals("v1")
                    && java.security.MessageDigest.isEqual(java.util.Base64.getDecoder().decode(parts[1]), expected)) {
                return true;
            }
        }
        return false;
    }

    private record Hook(String path, com.sun.net.httpserver.Headers headers, String body) {
    }

    private final List<Hook> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    private com.sun.net.httpserver.HttpServer hooks;

    @org.junit.jupiter.api.BeforeEach
    void receiver() throws Exception {
        hooks = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 10);
        hooks.createContext("/", exchange -> {
            received.add(new Hook(exchange.getRequestURI().getPath(), exchange.getRequestHeaders(),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hooks.start();
    }

    @org.junit.jupiter.api.AfterEach
    void stopReceiver() {
        hooks.stop(0);
    }

    private List<Hook> hooksAt(String path, String type) {
        return received.stream().filter(h -> h.path().equals(path) && h.body().contains("\"" + type + "\"")).toList();
    }

    private JsonNode createKey(Master master, String account, String name, String label) {
        Api.Response created = master.api().post("/api/v1/keys", "{\"name\":\"" + name + "\",\"label\":\"" + label
                + "\",\"account\":\"" + account + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    private String confirmedSender(Api api) {
        String address = "news-" + UUID.randomUUID().toString().substring(0, 6) + "@shop.example.test";
        api.post("/api/v1/senders", "{\"email\":\"" + address + "\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        return address;
    }

    /** Sends one message to each recipient in one call; answers the messages' ids. */
    private List<String> send(Api api, String from, List<String> recipients, String subject) {
        StringBuilder body = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < recipients.size(); i++) {
            body.append(i == 0 ? "" : ",").append("{\"from\":{\"email\":\"").append(from).append("\"},\"to\":[{\"email\":\"")
                    .append(recipients.get(i)).append("\"}],\"subject\":\"").append(subject)
                    .append("\",\"text\":\"Hello\"}");
        }
        Api.Response response = api.post("/api/v1/send", body.append("]}").toString());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        response.json().get("results").forEach(r -> {
            assertThat(r.get("status").asString()).as(r.toString()).isEqualTo("accepted");
            ids.add(r.get("id").asString());
        });
        return ids;
    }

    private String status(Api api, String id) {
        return api.get("/api/v1/messages/" + id).json().get("message").get("status").asString();
    }

    private void awaitDelivered(Api api, List<String> ids, Duration within) {
        Eventually.within(within, () -> ids.forEach(id -> assertThat(status(api, id)).isEqualTo("DELIVERED")));
    }

    /** The return-path token the relay saw for the recipient's copy (its Return-Path header). */
    private static String returnPathToken(String recipient) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (MimeMessage copy : TestInfrastructure.SMTP.getReceivedMessages()) {
                if (Arrays.stream(copy.getAllRecipients()).anyMatch(a -> a.toString().equalsIgnoreCase(recipient))
                        && copy.getHeader("Return-Path") != null) {
                    String returnPath = copy.getHeader("Return-Path")[0].replaceAll("[<>\\s]", "");
                    return returnPath.substring("bounces+".length(), returnPath.indexOf('@'));
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no copy for " + recipient);
    }

    /** An ARF abuse report for the recipient's copy, sent to its return path through the inbound server. */
    private void complain(String recipient) throws Exception {
        String token = returnPathToken(recipient);
        InboundReports.send(inboundPort, "fbl@isp.example", "bounces+" + token + "@bounces.mailtree.localhost",
                InboundReports.arf(null, recipient, null, "Spring sale"));
    }

    private static boolean mailArrived(String to, String subjectStart) {
        try {
            for (MimeMessage message : TestInfrastructure.SMTP.getReceivedMessages()) {
                if (message.getSubject() != null && message.getSubject().startsWith(subjectStart)
                        && Arrays.stream(message.getAllRecipients()).anyMatch(a -> a.toString().equalsIgnoreCase(to))) {
                    return true;
                }
            }
            return false;
        } catch (Exception unreadable) {
            return false;
        }
    }

    private WebSession signIn(String accountId) {
        String owner = ownerOf(accountId);
        jdbc.sql("update app_user set password_hash = ? where account_id = ?").params("{noop}" + PASSWORD,
                UUID.fromString(accountId)).update();
        WebSession session = new WebSession(port);
        assertThat(session.signIn(owner, PASSWORD)).endsWith("/home");
        return session;
    }

    private String ownerOf(String accountId) {
        return jdbc.sql("select email from app_user where account_id = ? and role = 'OWNER'")
                .param(UUID.fromString(accountId)).query(String.class).single();
    }

    private static List<String> readers(String who, int count) {
        List<String> readers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            readers.add(uniqueEmail(who));
        }
        return readers;
    }

    @Test
    @DisplayName("D-18, D-19, D-20 end to end: ARF complaints pause the marketing key once, everyone is alerted, transactional mail keeps flowing, the operator resumes")
    void d18_d19_d20_marketingComplaintsPauseOnlyTheMarketingKey() throws Exception {
        WebSession operator = new WebSession(port);
        operator.signIn("operator@mailtree.test", "operator-password-123");
        operator.get("/platform/reputation?lang=en");
        operator.follow(operator.post("/platform/reputation/thresholds", Map.of("minimumVolume", "20",
                "windowHours", "168")));
        assertThat(thresholds.settings().minimumVolume()).isEqualTo(20);

        Master master = master("pro-5000");
        Api.Response created = createSubaccount(master.api(), "Shop " + UUID.randomUUID().toString().substring(0, 6),
                uniqueEmail("shop"), null, 500);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String shopId = created.json().get("subaccount").get("id").asString();
        // The master creates both keys of its sub-account through the keys API (D-17).
        JsonNode marketingKey = createKey(master, shopId, "Newsletter", "MARKETING");
        JsonNode transactionalKey = createKey(master, shopId, "Receipts", "TRANSACTIONAL");
        Api marketing = Api.withKey(port, marketingKey.get("key").get("publicKey").asString(),
                marketingKey.get("secret").asString());
        Api transactional = Api.withKey(port, transactionalKey.get("key").get("publicKey").asString(),
                transactionalKey.get("secret").asString());
        UUID marketingId = UUID.fromString(marketingKey.get("key").get("id").asString());
        UUID transactionalId = UUID.fromString(transactionalKey.get("key").get("id").asString());
        String from = confirmedSender(marketing);
        String shopHook = webhookSecret(transactional, "/shop");
        String masterHook = webhookSecret(master.api(), "/master");

        // The campaign: 20 recipients, all delivered; and receipts meanwhile.
        List<String> campaign = readers("reader", 20);
        List<String> campaignIds = send(marketing, from, campaign, "Spring sale");
        List<String> receipts = send(transactional, from, readers("buyer", 3), "Your receipt");
        awaitDelivered(marketing, campaignIds, Duration.ofSeconds(30));
        awaitDelivered(transactional, receipts, Duration.ofSeconds(30));

        // Marketing mail still queued when the key is paused: the delivery workers are stopped while it is
        // accepted and until the pause has held it (with them running it could go out first).
        org.springframework.context.SmartLifecycle workers = context.getBean("deliveryWorkers",
                org.springframework.context.SmartLifecycle.class);
        List<String> later;
        workers.stop();
        try {
            later = send(marketing, from, readers("later", 3), "Spring sale, part two");

            // One complaint is 5 % of 20 delivered: past the 0.3 % pause threshold (and the 0.08 % warning).
            complain(campaign.get(0));
            Eventually.afterConsumers(() -> assertThat(paused(marketingId)).isTrue());
            // A second complaint while paused raises nothing more.
            complain(campaign.get(1));
            Eventually.afterConsumers(() -> assertThat(jdbc.sql("select complaints from key_reputation_hour"
                    + " where api_key_id = ?").param(marketingId).query(Long.class).list().stream()
                    .mapToLong(Long::longValue).sum()).isEqualTo(2));
            assertThat(alerts(marketingId, "complaint.pause")).isEqualTo(1);
            assertThat(alerts(marketingId, "complaint.warn")).isEqualTo(1);
            // Its queued mail is held, not lost.
            Eventually.afterConsumers(() -> later.forEach(id -> assertThat(status(marketing, id)).isEqualTo("HELD")));
        } finally {
            workers.start();
        }
        assertThat(alerts(transactionalId, "complaint.pause")).isZero();
        // D-20: the complaint suppressed the address as the marketing key's.
        JsonNode suppressed = master.api().onBehalfOf(shopId).get("/api/v1/suppressions?apiKeyId=" + marketingId)
                .json().get("items");
        assertThat(suppressed).isNotEmpty();

        // The marketing key is refused; the transactional key keeps delivering.
        Api.Response refused = marketing.post("/api/v1/send", "{\"messages\":[{\"from\":{\"email\":\"" + from
                + "\"},\"to\":[{\"email\":\"" + uniqueEmail("late") + "\"}],\"subject\":\"More\",\"text\":\"x\"}]}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("key_paused");
        awaitDelivered(transactional, send(transactional, from, readers("buyer", 3), "Your receipt"),
                Duration.ofSeconds(30));

        // The alert: in the account, in its master, on the console, by e-mail to both owners.
        String shopPage = signIn(shopId).get("/home?lang=en").body();
        assertThat(shopPage).contains("id=\"key-alert-banner\"").contains("The API key Newsletter is paused");
        String masterPage = signIn(master.id()).get("/home?lang=en").body();
        assertThat(masterPage).contains("id=\"key-alert-banner\"").contains("The API key Newsletter is paused")
                .contains("complaints at 5 % (threshold 0.3 %): 1 out of 20 over 168 hours");
        String console = operator.get("/platform/reputation?lang=en").body();
        assertThat(console).contains("data-key=\"" + marketingId + "\"")
                .contains("complaints at 5 % (threshold 0.3 %): 1 out of 20 over 168 hours");
        Eventually.within(Duration.ofSeconds(20), () -> {
            assertThat(mailArrived(ownerOf(shopId), "API key paused: Newsletter")).isTrue();
            assertThat(mailArrived(ownerOf(master.id()), "API key paused: Newsletter")).isTrue();
        });
        // And on the webhooks of both accounts, signed: one key.paused each, with the numbers.
        Eventually.within(Duration.ofSeconds(20), () -> {
            assertThat(hooksAt("/shop", "key.paused")).hasSize(1);
            assertThat(hooksAt("/master", "key.paused")).hasSize(1);
        });
        for (String[] hook : new String[][] {{"/shop", shopHook}, {"/master", masterHook}}) {
            Hook paused = hooksAt(hook[0], "key.paused").get(0);
            assertThat(signed(paused, hook[1])).as("signature at " + hook[0]).isTrue();
            assertThat(signed(paused, "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]))).isFalse();
            JsonNode event = tools.jackson.databind.json.JsonMapper.builder().build().readTree(paused.body()).get(0);
            assertThat(event.get("type").asString()).isEqualTo("key.paused");
            assertThat(event.get("data").get("apiKeyId").asString()).isEqualTo(marketingId.toString());
            assertThat(event.get("data").get("count").asLong()).isEqualTo(1);
            assertThat(event.get("data").get("outOf").asLong()).isEqualTo(20);
        }
        // The account sees why, with the numbers.
        JsonNode reputation = marketing.get("/api/v1/keys/" + marketingId + "/reputation").json();
        assertThat(reputation.get("status").asString()).isEqualTo("PAUSED");
        assertThat(reputation.get("pause").get("alert").get("ratePercent").asDouble()).isEqualTo(5.0);

        // The operator resumes it; it sends again, and the transactional key never stopped.
        operator.get("/platform/reputation?lang=en");
        operator.follow(operator.post("/platform/reputation/keys/" + marketingId + "/resume",
                Map.of("reason", "complaining addresses removed from the list")));
        assertThat(paused(marketingId)).isFalse();
        // The held mail goes out.
        awaitDelivered(marketing, later, Duration.ofSeconds(30));
        Eventually.within(Duration.ofSeconds(20), () -> assertThat(hooksAt("/shop", "key.resumed")).hasSize(1));
        assertThat(signed(hooksAt("/shop", "key.resumed").get(0), shopHook)).isTrue();
        awaitDelivered(marketing, send(marketing, from, readers("reader", 2), "Spring sale, again"),
                Duration.ofSeconds(30));
        awaitDelivered(transactional, send(transactional, from, readers("buyer", 2), "Your receipt"),
                Duration.ofSeconds(30));
        assertThat(alerts(marketingId, "complaint.pause")).isEqualTo(1);
    }
}
