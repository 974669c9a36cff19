package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.MailtreeApplication;
import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import io.mailtree.support.WebSession;
import io.mailtree.notifications.MailTransport;
import io.mailtree.notifications.RelaySettings;
import io.mailtree.notifications.SmtpRelay;
import io.mailtree.support.ControllableRelay;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Delivery under failure, with real SMTP (a controllable subethasmtp relay) and real PostgreSQL: the
 * relay down and back, a flaky relay (451/550), two nodes sharing one queue, and a node killed with
 * SIGKILL in the middle of delivery, on PostgreSQL and on the embedded H2 default. Every message must
 * reach the relay exactly once; after a crash, at most the messages the dead node had in flight may
 * arrive twice, and nothing answered "accepted" may be missing.
 *
 * <p>This class runs its own Mailtree context in a schema of its own ({@value #SCHEMA}), so the delivery
 * workers of other test classes' cached contexts (which share {@code mailtree_it}) cannot take its
 * messages, and its relay is not the shared GreenMail.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.hikari.schema=" + DeliveryReliabilityIntegrationTests.SCHEMA,
    "spring.flyway.schemas=" + DeliveryReliabilityIntegrationTests.SCHEMA,
    "spring.flyway.default-schema=" + DeliveryReliabilityIntegrationTests.SCHEMA,
    "mailtree.data-dir=target/reliability-it-data",
    "mailtree.submission-port=0", "mailtree.inbound-port=0",
    "mailtree.relay.host=127.0.0.1",
    "mailtree.delivery.retry-base=1s"})
@ActiveProfiles("it")
@Import(DeliveryReliabilityIntegrationTests.OwnSchema.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeliveryReliabilityIntegrationTests {

    static final String SCHEMA = "mailtree_reliability";
    static final ControllableRelay RELAY = ControllableRelay.start();

    private static final Pattern CONFIRM_LINK = Pattern.compile("(/senders/confirm\\?token=[A-Za-z0-9_.\\-]+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int CRASH_WORKERS = 4;
    private static final int BATCH = 50; // mailtree.delivery.batch default

    /** Rebuilds this class's own schema from the migrations when its context starts. */
    @TestConfiguration(proxyBeanMethods = false)
    static class OwnSchema {

        @Bean
        FlywayMigrationStrategy cleanThenMigrate() {
            return flyway -> {
                flyway.clean();
                flyway.migrate();
            };
        }
    }

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) {
        registry.add("mailtree.relay.port", RELAY::port);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    DeliveryAttempts attempts;

    @Autowired
    Environment environment;

    @BeforeEach
    void healthyRelay() {
        RELAY.listen();
        RELAY.policy((recipient, attempt) -> ControllableRelay.Answer.ACCEPT);
        RELAY.delay(0);
        RELAY.reset();
    }

    @AfterAll
    static void stopRelay() {
        RELAY.close();
    }

    // --- 1. relay down, then back -----------------------------------------------------------------

    @Test
    @Order(1)
    @DisplayName("Relay down, then back: mail accepted during the outage is DEFERRED, then all DELIVERED once")
    void relayDownThenBack() throws Exception {
        Provisioned master = provision(port, operatorToken());
        String from = confirmSender(port, master.api(), "outage.example.test");
        List<String> recipients = recipients("outage", 20);

        long started = System.currentTimeMillis();
        RELAY.refuseConnections();
        List<String> ids;
        long deferredSeenAfter;
        try {
            assertRefused(RELAY.port());
            ids = send(master.api(), from, recipients, "Outage");
            // While the relay is down every message is deferred, and the API shows it.
            for (String id : ids) {
                JsonNode detail = awaitDetail(master.api(), id, d -> types(d).contains("DEFERRED"), 10_000);
                assertThat(detail.get("message").get("status").asString()).isEqualTo("QUEUED");
                assertThat(types(detail)).doesNotContain("DELIVERED");
            }
            deferredSeenAfter = System.currentTimeMillis() - started;
            assertThat(RELAY.distinctDelivered(recipients)).as("delivered while the relay was down").isZero();
            sleepUntil(started + 6_000);
        } finally {
            RELAY.listen();
        }
        long outage = System.currentTimeMillis() - started;

        long deferrals = 0;
        for (String id : ids) {
            JsonNode detail = awaitDetail(master.api(), id,
                    d -> d.get("message").get("status").asString().equals("DELIVERED"), 30_000);
            assertThat(types(detail)).containsSubsequence("ACCEPTED", "QUEUED", "DEFERRED", "DELIVERED");
            deferrals += types(detail).stream().filter("DEFERRED"::equals).count();
        }
        long deliveredAfter = System.currentTimeMillis() - started - outage;
        awaitQuiet(master.id());
        for (String recipient : recipients) {
            assertThat(RELAY.acceptedFor(recipient)).as("copies of the message to %s", recipient).isEqualTo(1);
        }
        System.out.printf("[reliability] relay down/up: %d messages, outage %d ms (all DEFERRED after %d ms), "
                + "%d DEFERRED events, all DELIVERED %d ms after the relay came back, duplicates %d, missing 0%n",
                ids.size(), outage, deferredSeenAfter, deferrals, deliveredAfter, duplicates(recipients));
    }

    // --- 2. flaky relay ---------------------------------------------------------------------------

    /** 2% permanent (550), 10% temporary (451, first attempt only); half of each at RCPT, half after DATA. */
    static ControllableRelay.Answer flaky(String recipient, int attempt) {
        long hash = hash(recipient);
        int bucket = (int) (hash % 100);
        boolean atRcpt = (hash / 100) % 2 == 0;
        if (bucket < 2) {
            return atRcpt ? ControllableRelay.Answer.PERMANENT_AT_RCPT : ControllableRelay.Answer.PERMANENT_AT_DATA;
        }
        if (bucket < 12 && attempt == 1) {
            return atRcpt ? ControllableRelay.Answer.TEMPORARY_AT_RCPT : ControllableRelay.Answer.TEMPORARY_AT_DATA;
        }
        return ControllableRelay.Answer.ACCEPT;
    }

    @Test
    @Order(2)
    @DisplayName("Flaky relay: 451s arrive later exactly once, 550s end BOUNCED and suppressed")
    void flakyRelay() throws Exception {
        Provisioned master = provision(port, operatorToken());
        String from = confirmSender(port, master.api(), "flaky.example.test");
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            recipients.add(String.format("flaky-%03d@flaky.example.test", i));
        }
        List<String> permanent = recipients.stream().filter(r -> flaky(r, 1).name().startsWith("PERMANENT")).toList();
        List<String> temporary = recipients.stream().filter(r -> flaky(r, 1).name().startsWith("TEMPORARY")).toList();
        assertThat(permanent).as("the recipients the relay refuses for good").isNotEmpty();
        assertThat(temporary).as("the recipients the relay refuses once").isNotEmpty();

        RELAY.policy(DeliveryReliabilityIntegrationTests::flaky);
        long started = System.currentTimeMillis();
        Map<String, String> idByRecipient = sendAll(List.of(master.api()), from, recipients, "Flaky", 4);
        assertThat(idByRecipient).hasSize(recipients.size());
        // Bounded: a message still queued after this is reported per recipient by the assertions below.
        boolean settled = waitFor(() -> queued(master.id()) == 0, 30_000);
        long elapsed = System.currentTimeMillis() - started;
        if (!settled) {
            System.out.printf("[reliability] flaky relay: not settled after %d ms: %s; still queued: %s%n", elapsed,
                    statuses(master.id()), lastErrors(master.id()));
        }

        Map<String, String> statusByRecipient = statusByRecipient(master.id());
        // The suppression list is filled by the contacts consumer shortly after the bounces commit (ADR 0010).
        Eventually.afterConsumers(() -> assertThat(master.api().get("/api/v1/suppressions?limit=200").json()
                .get("items").size()).as("suppressions once the consumer caught up").isEqualTo(permanent.size()));
        List<String> suppressed = new ArrayList<>();
        master.api().get("/api/v1/suppressions?limit=200").json().get("items")
                .forEach(item -> suppressed.add(item.get("email").asString()));
        List<String> shouldArrive = recipients.stream().filter(r -> !permanent.contains(r)).toList();
        System.out.printf("[reliability] flaky relay: %d messages, %d answered 451 once, %d answered 550 (%d at RCPT, "
                + "%d after DATA); statuses %s, arrived %d/%d, duplicates %d, relay refusals %d, elapsed %d ms%n",
                recipients.size(), temporary.size(), permanent.size(),
                permanent.stream().filter(r -> flaky(r, 1) == ControllableRelay.Answer.PERMANENT_AT_RCPT).count(),
                permanent.stream().filter(r -> flaky(r, 1) == ControllableRelay.Answer.PERMANENT_AT_DATA).count(),
                statuses(master.id()), RELAY.distinctDelivered(shouldArrive), shouldArrive.size(),
                duplicates(recipients), RELAY.rejectedCount(), elapsed);
        for (String recipient : recipients) {
            if (permanent.contains(recipient)) {
                assertThat(RELAY.acceptedFor(recipient)).as("550'd %s never accepted", recipient).isZero();
                assertThat(statusByRecipient.get(recipient)).as("status of the message to %s, answered 550 (%s) on "
                        + "each of its %d attempts", recipient, flaky(recipient, 1), RELAY.attemptsFor(recipient))
                        .isEqualTo("BOUNCED");
                assertThat(suppressed).as("suppression list").contains(recipient);
            } else {
                assertThat(RELAY.acceptedFor(recipient)).as("copies of the message to %s (%s)", recipient,
                        flaky(recipient, 1)).isEqualTo(1);
                assertThat(statusByRecipient.get(recipient)).as("status of %s", recipient).isEqualTo("DELIVERED");
            }
            if (temporary.contains(recipient)) {
                assertThat(RELAY.attemptsFor(recipient)).as("the 451'd %s was tried again", recipient)
                        .isGreaterThanOrEqualTo(2);
            }
        }
        assertThat(suppressed).as("only the 550'd addresses are suppressed").hasSameSizeAs(permanent);
    }

    // --- 3. two nodes, one queue ------------------------------------------------------------------

    @Test
    @Order(3)
    @DisplayName("Two nodes on one PostgreSQL share the queue: 20,000 messages, each delivered exactly once")
    void twoNodesShareTheQueue() throws Exception {
        ConfigurableApplicationContext second = null;
        try {
            long bootStarted = System.currentTimeMillis();
            second = startSecondNode();
            long boot = System.currentTimeMillis() - bootStarted;
            int secondPort = Integer.parseInt(second.getEnvironment().getProperty("local.server.port"));

            Provisioned master = provision(port, operatorToken());
            String from = confirmSender(port, master.api(), "nodes.example.test");
            Api onSecond = Api.withKey(secondPort, master.apiKey());
            List<String> recipients = recipients("node", 20_000);

            long started = System.currentTimeMillis();
            Map<String, String> idByRecipient = sendAll(List.of(master.api(), onSecond), from, recipients, "Nodes", 4);
            long accepted = System.currentTimeMillis() - started;
            assertThat(idByRecipient).hasSize(recipients.size());
            awaitOrReport(() -> queued(master.id()) == 0 && RELAY.distinctDelivered(recipients) == recipients.size(),
                    240_000, () -> "queued " + statuses(master.id()) + ", at the relay "
                            + RELAY.distinctDelivered(recipients) + "/" + recipients.size());
            long elapsed = System.currentTimeMillis() - started;

            Map<String, Long> byNode = RELAY.acceptedByEnvelopeDomain();
            int duplicates = duplicates(recipients);
            int missing = recipients.size() - RELAY.distinctDelivered(recipients);
            System.out.printf("[reliability] two nodes: %d messages (accepted in %d ms), delivered by node 1 %d, "
                    + "by node 2 %d, duplicates %d, missing %d, elapsed %d ms (second node started in %d ms)%n",
                    recipients.size(), accepted, byNode.getOrDefault("bounces.mailtree.localhost", 0L),
                    byNode.getOrDefault("node2.bounces.mailtree.test", 0L), duplicates, missing, elapsed, boot);
            assertThat(missing).as("messages that never reached the relay").isZero();
            assertThat(duplicates).as("messages delivered more than once").isZero();
            assertThat(statuses(master.id())).containsExactly(Map.entry("DELIVERED", (long) recipients.size()));
            assertThat(byNode.get("bounces.mailtree.localhost")).as("delivered by the test's node").isPositive();
            assertThat(byNode.get("node2.bounces.mailtree.test")).as("delivered by the second node").isPositive();
        } finally {
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    @Order(5)
    @DisplayName("A hard bounce suppresses its address for the rest of the batch: five messages to it, one RCPT, four suppressed")
    void hardBounceSuppressesWithinTheBatch() throws Exception {
        Provisioned master = provision(port, operatorToken());
        String from = confirmSender(port, master.api(), "batchbounce.example.test");
        String gone = "gone-" + UUID.randomUUID().toString().substring(0, 8) + "@batchbounce.example.test";
        RELAY.policy((recipient, attempt) -> recipient.equalsIgnoreCase(gone)
                ? ControllableRelay.Answer.PERMANENT_AT_RCPT : ControllableRelay.Answer.ACCEPT);
        // One call: the five commit together, so one claim takes them all.
        send(master.api(), from, List.of(gone, gone, gone, gone, gone), "Gone");
        awaitQuiet(master.id());
        assertThat(RELAY.attemptsFor(gone)).as("RCPT attempts for the bounced address").isEqualTo(1);
        assertThat(statuses(master.id())).containsEntry("BOUNCED", 1L).containsEntry("SUPPRESSED", 4L);
    }

    @Test
    @Order(5)
    @DisplayName("A policy refusal (554 5.7.1) bounces each copy as BLOCK and suppresses nobody; a hard bounce after it still suppresses")
    void aPolicyRefusalBouncesTheCopyButSuppressesNobody() throws Exception {
        Provisioned master = provision(port, operatorToken());
        String from = confirmSender(port, master.api(), "policy.example.test");
        String refusing = "strict-" + UUID.randomUUID().toString().substring(0, 8) + "@policy.example.test";
        String gone = "gone-" + UUID.randomUUID().toString().substring(0, 8) + "@policy.example.test";
        RELAY.policy((recipient, attempt) -> recipient.equalsIgnoreCase(refusing) ? ControllableRelay.Answer.POLICY_AT_DATA
                : recipient.equalsIgnoreCase(gone) ? ControllableRelay.Answer.PERMANENT_AT_RCPT
                : ControllableRelay.Answer.ACCEPT);
        send(master.api(), from, List.of(refusing, refusing, refusing), "Refused by policy");
        awaitQuiet(master.id());
        // Not suppressed within the batch either: every copy was offered, and each was refused once.
        assertThat(statuses(master.id())).containsExactly(Map.entry("BOUNCED", 3L));
        assertThat(jdbc.sql("select distinct bounce_class from message_event where account_id = ? and event_type = 'BOUNCED'")
                .param(UUID.fromString(master.id())).query(String.class).list()).containsExactly("BLOCK");
        // A hard bounce later in the stream: once the contacts consumer has suppressed it, it has read the blocks too.
        send(master.api(), from, List.of(gone), "Gone");
        awaitOrReport(() -> suppressed(master.id()).contains(gone), 30_000, () -> "suppressed: " + suppressed(master.id()));
        assertThat(suppressed(master.id())).containsExactly(gone);
        // The address refused by policy is still mailable: a new message to it is offered to the relay again.
        RELAY.policy((recipient, attempt) -> ControllableRelay.Answer.ACCEPT);
        send(master.api(), from, List.of(refusing), "Accepted now");
        awaitQuiet(master.id());
        assertThat(RELAY.acceptedFor(refusing)).isEqualTo(1);
    }

    private List<String> suppressed(String account) {
        return jdbc.sql("select email from suppression where account_id = ? order by email")
                .param(UUID.fromString(account)).query(String.class).list();
    }

    @Test
    @Order(6)
    @DisplayName("An outcome is written only under the lease it was claimed with: a worker whose lease passed to another records nothing")
    void outcomesNeedTheLease() throws Exception {
        Provisioned master = provision(port, operatorToken());
        String from = confirmSender(port, master.api(), "lease.example.test");
        String to = "lease-" + UUID.randomUUID().toString().substring(0, 8) + "@lease.example.test";
        String sent = send(master.api(), from, List.of(to), "Lease").get(0);
        awaitQuiet(master.id());
        // Two copies of that message, due in a year (no worker claims them), leased until a known instant.
        java.time.Instant lease = java.time.Instant.parse("2030-01-01T00:00:00Z");
        List<MessageClaims.Claimed> claimed = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            UUID publicId = UUID.randomUUID();
            jdbc.sql("""
                    insert into message (public_id, account_id, api_key_id, status, from_email, recipients, subject,
                        message_id, attempts, next_attempt_at, lease_until, created_at, updated_at, mime)
                    select ?, account_id, api_key_id, 'QUEUED', from_email, recipients, subject, message_id, 1,
                        ?, ?, created_at, updated_at, mime from message where public_id = ?""")
                    .params(publicId,
                            io.mailtree.shared.Times.sql(lease.plus(Duration.ofDays(365))), io.mailtree.shared.Times.sql(lease),
                            UUID.fromString(sent))
                    .update();
            long id = jdbc.sql("select id from message where public_id = ?").param(publicId).query(Long.class).single();
            byte[] mime = jdbc.sql("select mime from message where id = ?").param(id).query((rs, n) -> rs.getBytes(1)).single();
            // The first is still ours; the second's lease has passed to another worker meanwhile.
            claimed.add(new MessageClaims.Claimed(id, new io.mailtree.shared.AccountId(UUID.fromString(master.id())),
                    null, from, List.of(to), 1, lease,
                    i == 0 ? lease : lease.minusSeconds(60), false, mime, 1));
        }
        try (MailTransport.Connection relay = new SmtpRelay(
                new RelaySettings("127.0.0.1", RELAY.port(), null, null, "none")).connect()) {
            attempts.deliver(claimed, relay, () -> true);
        }
        assertThat(jdbc.sql("select status from message where id = ?").param(claimed.get(0).id()).query(String.class)
                .single()).isEqualTo("DELIVERED");
        assertThat(jdbc.sql("select status from message where id = ?").param(claimed.get(1).id()).query(String.class)
                .single()).as("not overwritten by the worker that lost the lease").isEqualTo("QUEUED");
        assertThat(jdbc.sql("select count(*) from message_event where message_id = ?").param(claimed.get(1).id())
                .query(Long.class).single()).as("no event recorded by the worker that lost the lease").isZero();
        jdbc.sql("delete from message where id = ?").param(claimed.get(1).id()).update();
    }

    /** A second Mailtree in this JVM on the same database and schema, delivering to the same relay. */
    private ConfigurableApplicationContext startSecondNode() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", environment.getRequiredProperty("spring.datasource.url"));
        properties.put("spring.datasource.username", environment.getProperty("spring.datasource.username", ""));
        properties.put("spring.datasource.password", environment.getProperty("spring.datasource.password", ""));
        properties.put("spring.datasource.hikari.schema", SCHEMA);
        properties.put("spring.datasource.hikari.maximum-pool-size", "10");
        properties.put("spring.flyway.schemas", SCHEMA);
        properties.put("spring.flyway.default-schema", SCHEMA);
        properties.put("server.port", "0");
        properties.put("mailtree.data-dir", "target/reliability-node2-" + UUID.randomUUID());
        properties.put("mailtree.submission-port", "0");
        properties.put("mailtree.inbound-port", "0");
        properties.put("mailtree.relay.host", "127.0.0.1");
        properties.put("mailtree.relay.port", String.valueOf(RELAY.port()));
        properties.put("mailtree.delivery.retry-base", "1s");
        properties.put("mailtree.bounce-domain", "node2.bounces.mailtree.test");
        properties.put("mailtree.secret", environment.getProperty("mailtree.secret", ""));
        properties.put("mailtree.operator.token", operatorToken());
        properties.put("mailtree.operator.email", environment.getProperty("mailtree.operator.email", ""));
        properties.put("mailtree.operator.password", environment.getProperty("mailtree.operator.password", ""));
        // Command-line arguments outrank application.yml (server.port 8080, the H2 datasource).
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(MailtreeApplication.class).run(args);
    }

    // --- 4. crash -----------------------------------------------------------------------------------

    /**
     * The lease a launched node gives a claimed batch: long beside a boot (one took 170 s on the loaded
     * machine), so that a restarted node waiting it out cannot pass for one that released its leases.
     */
    private static final Duration CRASH_LEASE = Duration.ofMinutes(10);
    /** How soon after the restart the killed node's leased messages must be delivered. */
    private static final Duration RELEASED_WITHIN = Duration.ofSeconds(60);

    /**
     * The same crash on both databases: PostgreSQL (a database of its own, named for the run) and the
     * embedded default (an H2 file under the node's data directory, as a newcomer runs it). Every call is
     * answered before the kill, which comes at once after the last answer: a database that writes its
     * commits late loses the last ones it answered for. The restarted node has the killed one's data
     * directory, hence its node id, so it must deliver what the killed node had leased at once instead of
     * waiting out the lease ({@link #CRASH_LEASE}).
     */
    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"postgresql", "h2"})
    @Order(4)
    @DisplayName("SIGKILL in the middle of delivery: after a restart every accepted message arrives (D-31), duplicates only "
            + "from what was in flight, each metered exactly once (D-31), and the node's own leases are not waited out")
    void killedNodeLosesNothing(String databaseKind) throws Exception {
        Path jar = Path.of("target/mailtree-0.1.0-SNAPSHOT.jar");
        Assumptions.assumeTrue(Files.isRegularFile(jar), "the packaged jar " + jar + " is missing (run mvn verify)");
        boolean h2 = databaseKind.equals("h2");
        // The issue's 20,000 on PostgreSQL: on this 2-core machine the test (two JVM boots included) takes about
        // 80 s. The embedded database accepts more slowly; 2,000 keep that variant near a minute, and a kill right
        // after the last answer catches the commits of the last few hundred milliseconds either way.
        int total = h2 ? 2_000 : 20_000;
        String database = "mailtree_crash_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        Path dataDir = Path.of("target", database).toAbsolutePath();
        Files.createDirectories(dataDir);
        String serverUrl = environment.getRequiredProperty("spring.datasource.url");
        // What the launched node is told (null: the embedded default) and where this test reads the same database.
        String nodeUrl = h2 ? null : serverUrl.replaceFirst("^(jdbc:postgresql://[^/]+/)[^?]*", "$1" + database);
        String crashUrl = h2 ? "jdbc:h2:file:" + dataDir.toString().replace('\\', '/')
                + "/mailtree;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=FALSE" : nodeUrl;
        String user = h2 ? "sa" : environment.getProperty("spring.datasource.username", "");
        String password = h2 ? "" : environment.getProperty("spring.datasource.password", "");
        String token = "crash-operator-" + UUID.randomUUID();
        Process first = null;
        Process second = null;
        if (!h2) {
            sql(serverUrl, user, password, "create database " + database);
        }
        try {
            long started = System.currentTimeMillis();
            int firstPort = freePort();
            first = launch(jar, firstPort, nodeUrl, user, password, token, dataDir, dataDir.resolve("node-1.log"));
            awaitHealthy(first, firstPort, dataDir.resolve("node-1.log"));
            long firstBoot = System.currentTimeMillis() - started;

            Provisioned master = provision(firstPort, token);
            String from = confirmSender(firstPort, master.api(), "crash.example.test");
            List<String> recipients = recipients("crash", total);
            RELAY.delay(5);
            long sendStarted = System.currentTimeMillis();
            Map<String, String> idByRecipient = sendAll(List.of(master.api()), from, recipients, "Crash", 4);
            long accepting = System.currentTimeMillis() - sendStarted;
            assertThat(idByRecipient).hasSize(total);
            awaitOrReport(() -> RELAY.distinctDelivered(recipients) > 0, 30_000, () -> "nothing delivered before the crash");
            // Killed in the middle of a batch (a count that is no multiple of the batch): a lease is then held for
            // sure, so the restart has leases of its own to release (claims take whole calls of 50 here).
            waitFor(() -> RELAY.distinctDelivered(recipients) % BATCH != 0, 10_000);

            int atRelayBeforeKill = RELAY.distinctDelivered(recipients);
            long killedAfterLastAnswer = System.currentTimeMillis() - sendStarted - accepting;
            first.destroyForcibly();
            assertThat(first.waitFor(15, TimeUnit.SECONDS)).as("the killed process ended").isTrue();
            int atRelayAtKill = RELAY.distinctDelivered(recipients);
            // What the database kept of what the killed node had answered for and recorded.
            Set<String> stored = new HashSet<>(strings(crashUrl, user, password, "select cast(public_id as varchar) from message"));
            List<String> goneFromDatabase = recipients.stream().filter(r -> !stored.contains(idByRecipient.get(r))).toList();
            List<String> leasedAtKill = strings(crashUrl, user, password,
                    "select cast(public_id as varchar) from message where status = 'QUEUED' and lease_until is not null");
            long inFlight = leasedAtKill.size();
            long deliveredInDb = count(crashUrl, user, password, "select count(*) from message where status = 'DELIVERED'");
            assertThat(atRelayAtKill).as("delivery was still in progress when the node was killed").isLessThan(total);

            long restarted = System.currentTimeMillis();
            int secondPort = freePort();
            second = launch(jar, secondPort, nodeUrl, user, password, token, dataDir, dataDir.resolve("node-2.log"));
            awaitHealthy(second, secondPort, dataDir.resolve("node-2.log"));
            long secondBoot = System.currentTimeMillis() - restarted;
            long up = System.currentTimeMillis();
            // The messages the killed node had leased, as the restarted node reports them (H2 is its alone now).
            Api onSecond = Api.withKey(secondPort, master.apiKey());
            List<String> leasedPending = new ArrayList<>(leasedAtKill);
            long leaseDeadline = up + RELEASED_WITHIN.toMillis();
            while (!leasedPending.isEmpty() && System.currentTimeMillis() < leaseDeadline) {
                leasedPending.removeIf(id -> !onSecond.get("/api/v1/messages/" + id).json().get("message").get("status")
                        .asString().equals("QUEUED"));
                Thread.sleep(leasedPending.isEmpty() ? 0 : 200);
            }
            long leasedDoneAfter = System.currentTimeMillis() - up;
            // Every accepted message, or until nothing new arrived for a minute: a message gone from the
            // database never will.
            awaitDelivery(recipients, 240_000, 60_000);
            long elapsed = System.currentTimeMillis() - started;
            int duplicates = duplicates(recipients);
            int missing = total - RELAY.distinctDelivered(recipients);
            // D-31's meter, a consumer of the same stream: each message counted once against the master, the
            // copies the crash made the relay take twice included, as the restarted node reports it.
            long meterDeadline = System.currentTimeMillis() + 120_000;
            long metered = -1;
            while (System.currentTimeMillis() < meterDeadline) {
                metered = onSecond.get("/api/v1/billing/usage").json().get("accounts").get(0).get("sent").asLong();
                if (metered >= total) {
                    break;
                }
                Thread.sleep(200);
            }
            Thread.sleep(1_000); // a late double count would show by now
            long meteredAtEnd = onSecond.get("/api/v1/billing/usage").json().get("accounts").get(0).get("sent").asLong();
            // Stopped before counting: the embedded database is the node's while it runs.
            second.destroy();
            assertThat(second.waitFor(120, TimeUnit.SECONDS)).as("the restarted node stopped").isTrue();
            long deliveredAtEnd = count(crashUrl, user, password, "select count(*) from message where status = 'DELIVERED'");
            long queuedAtEnd = count(crashUrl, user, password, "select count(*) from message where status = 'QUEUED'");
            System.out.printf("[reliability] crash on %s: %d messages (accepted in %d ms, killed %d ms after the last "
                    + "answer), %d at the relay when killed (%d marked DELIVERED), %d leased in flight, %d answered "
                    + "accepted but gone from the database, the leased ones done %d ms after the restart (lease %d s), "
                    + "duplicates %d, missing %d, DELIVERED in the database %d, QUEUED %d; boots %d ms and %d ms, "
                    + "elapsed %d ms%n", databaseKind, total, accepting, killedAfterLastAnswer, atRelayAtKill,
                    deliveredInDb, inFlight, goneFromDatabase.size(), leasedDoneAfter, CRASH_LEASE.toSeconds(),
                    duplicates, missing, deliveredAtEnd, queuedAtEnd, firstBoot, secondBoot, elapsed);
            assertThat(atRelayBeforeKill).isPositive();
            assertThat(goneFromDatabase).as("messages answered accepted that the crash took from the database").isEmpty();
            assertThat(missing).as("messages lost by the crash").isZero();
            assertThat(metered).as("D-31: messages metered against the master").isEqualTo(total);
            assertThat(meteredAtEnd).as("D-31: metered once each, duplicates at the relay included").isEqualTo(total);
            assertThat(count(crashUrl, user, password, "select count(*) from billing_metered_message"))
                    .as("D-31: one metering record per message").isEqualTo(total);
            assertThat(deliveredAtEnd).as("messages DELIVERED in the database").isEqualTo(total);
            assertThat(queuedAtEnd).as("messages still QUEUED").isZero();
            assertThat(inFlight).as("messages leased by the killed node").isPositive()
                    .isLessThanOrEqualTo(CRASH_WORKERS * BATCH);
            assertThat((long) duplicates).as("duplicates (at most what the killed node had in flight)")
                    .isLessThanOrEqualTo(inFlight);
            assertThat(leasedPending).as("messages the killed node had leased, still queued").isEmpty();
            assertThat(leasedDoneAfter).as("ms from the restart until the killed node's leased messages were delivered "
                    + "(its own leases, released at start, not waited out)").isLessThan(RELEASED_WITHIN.toMillis());
        } finally {
            stop(first);
            stop(second);
            if (!h2) {
                try {
                    sql(serverUrl, user, password, "drop database if exists " + database + " with (force)");
                } catch (Exception cleanup) {
                    System.out.println("[reliability] could not drop " + database + ": " + cleanup);
                }
            }
        }
    }

    /** Waits until every recipient got its message, {@code timeoutMillis} passed, or none arrived for {@code stallMillis}. */
    private static void awaitDelivery(List<String> recipients, long timeoutMillis, long stallMillis)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        int last = -1;
        long lastProgress = System.currentTimeMillis();
        while (System.currentTimeMillis() < deadline && System.currentTimeMillis() - lastProgress < stallMillis) {
            int delivered = RELAY.distinctDelivered(recipients);
            if (delivered == recipients.size()) {
                return;
            }
            if (delivered != last) {
                last = delivered;
                lastProgress = System.currentTimeMillis();
            }
            Thread.sleep(200);
        }
    }

    /** Starts the packaged jar; {@code url} null leaves it on its embedded default (H2 under {@code dataDir}). */
    private static Process launch(Path jar, int httpPort, String url, String user, String password, String token,
            Path dataDir, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx768m",
                "-Dmailtree.delivery.lease=" + CRASH_LEASE.toSeconds() + "s", "-jar", jar.toAbsolutePath().toString());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("SPRING_") || name.startsWith("MAILTREE_") || name.startsWith("SERVER_"));
        if (url != null) {
            env.put("SPRING_DATASOURCE_URL", url);
            env.put("SPRING_DATASOURCE_USERNAME", user);
            env.put("SPRING_DATASOURCE_PASSWORD", password);
        }
        env.put("MAILTREE_RELAY_HOST", "127.0.0.1");
        env.put("MAILTREE_RELAY_PORT", String.valueOf(RELAY.port()));
        env.put("MAILTREE_OPERATOR_TOKEN", token);
        env.put("MAILTREE_OPERATOR_PASSWORD", "crash-operator-password");
        env.put("SERVER_PORT", String.valueOf(httpPort));
        env.put("MAILTREE_SUBMISSION_PORT", "0");
        env.put("MAILTREE_INBOUND_PORT", "0");
        env.put("MAILTREE_DATA_DIR", dataDir.toString());
        env.put("MAILTREE_DELIVERY_WORKERS", String.valueOf(CRASH_WORKERS));
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return builder.start();
    }

    private static void awaitHealthy(Process process, int httpPort, Path log) throws Exception {
        // Generous: on a loaded 2-core machine a boot has taken 180 s.
        long deadline = System.currentTimeMillis() + 300_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("Mailtree exited with " + process.exitValue() + ": " + tail(log));
            }
            try {
                HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/actuator/health")).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && health.body().contains("UP")) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Mailtree did not become healthy in 300 s: " + tail(log));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException unreadable) {
            return "(no log: " + unreadable + ")";
        }
    }

    private static void stop(Process process) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(15, TimeUnit.SECONDS);
        }
    }

    private static void sql(String url, String user, String password, String statement) throws Exception {
        try (Connection connection = DriverManager.getConnection(url, user, password);
                Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }

    private static long count(String url, String user, String password, String query) {
        try (Connection connection = DriverManager.getConnection(url, user, password);
                Statement sql = connection.createStatement(); ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        } catch (Exception failure) {
            throw new IllegalStateException(query, failure);
        }
    }

    private static List<String> strings(String url, String user, String password, String query) {
        try (Connection connection = DriverManager.getConnection(url, user, password);
                Statement sql = connection.createStatement(); ResultSet rows = sql.executeQuery(query)) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        } catch (Exception failure) {
            throw new IllegalStateException(query, failure);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    // --- shared helpers ---------------------------------------------------------------------------

    /** A master provisioned through the operator API on {@code httpPort}: id, key JSON and API client. */
    record Provisioned(String id, JsonNode apiKey, Api api) {
    }

    private String operatorToken() {
        return environment.getRequiredProperty("mailtree.operator.token");
    }

    private static Provisioned provision(int httpPort, String token) {
        Api.Response created = Api.operator(httpPort, token).post("/api/platform/v1/masters",
                "{\"name\":\"Reliability " + UUID.randomUUID().toString().substring(0, 6) + "\",\"ownerEmail\":\"owner-"
                        + UUID.randomUUID() + "@example.test\",\"plan\":\"pro-1000\"}");
        assertThat(created.status()).as("provisioning: %s", created).isEqualTo(201);
        JsonNode json = created.json();
        return new Provisioned(json.get("master").get("id").asString(), json.get("apiKey"),
                Api.withKey(httpPort, json.get("apiKey")));
    }

    /** Adds a sender and follows the link of the confirmation mail the relay received; answers the address. */
    private static String confirmSender(int httpPort, Api api, String domain) throws InterruptedException {
        String address = "news-" + UUID.randomUUID().toString().substring(0, 8) + "@" + domain;
        Api.Response added = api.post("/api/v1/senders", "{\"email\":\"" + address + "\",\"name\":\"News\"}");
        assertThat(added.status()).as("adding the sender: %s", added).isEqualTo(201);
        String mail = RELAY.awaitMessageTo(address, 20_000).text().replace("=\r\n", "").replace("=3D", "=");
        Matcher link = CONFIRM_LINK.matcher(mail);
        assertThat(link.find()).as("confirmation link in %s", mail).isTrue();
        assertThat(new WebSession(httpPort).confirm(link.group(1)).body()).contains("sender-confirmed");
        return address;
    }

    private static List<String> recipients(String prefix, int count) {
        String run = UUID.randomUUID().toString().substring(0, 6);
        List<String> recipients = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            recipients.add(prefix + "-" + run + "-" + i + "@" + prefix + ".example.test");
        }
        return recipients;
    }

    private static String message(String from, String to, String subject) {
        return "{\"from\":{\"email\":\"" + from + "\",\"name\":\"Reliability\"},\"to\":[{\"email\":\"" + to
                + "\"}],\"subject\":\"" + subject + "\",\"text\":\"Hello " + to + "\"}";
    }

    /** One send call (at most 50 messages); every message must be accepted; answers the ids in order. */
    private static List<String> send(Api api, String from, List<String> recipients, String subject) {
        StringBuilder body = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < recipients.size(); i++) {
            body.append(i == 0 ? "" : ",").append(message(from, recipients.get(i), subject));
        }
        Api.Response response = api.post("/api/v1/send", body.append("]}").toString());
        assertThat(response.status()).as("send: %s", response).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (JsonNode result : response.json().get("results")) {
            assertThat(result.get("status").asString()).as("send result %s", result).isEqualTo("accepted");
            ids.add(result.get("id").asString());
        }
        return ids;
    }

    /** Sends in batches of 50 from {@code threads} threads, batch i through {@code apis[i % n]}; answers id by recipient. */
    private static Map<String, String> sendAll(List<Api> apis, String from, List<String> recipients, String subject,
            int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Map<String, String>>> futures = new ArrayList<>();
            for (int start = 0, batch = 0; start < recipients.size(); start += MessageQueue.MAX_MESSAGES, batch++) {
                List<String> slice = recipients.subList(start, Math.min(recipients.size(), start + MessageQueue.MAX_MESSAGES));
                Api api = apis.get(batch % apis.size());
                futures.add(pool.submit(() -> {
                    List<String> ids = send(api, from, slice, subject);
                    Map<String, String> byRecipient = new HashMap<>();
                    for (int i = 0; i < slice.size(); i++) {
                        byRecipient.put(slice.get(i), ids.get(i));
                    }
                    return byRecipient;
                }));
            }
            Map<String, String> all = new HashMap<>();
            for (Future<Map<String, String>> future : futures) {
                all.putAll(future.get(180, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    private static JsonNode awaitDetail(Api api, String id, java.util.function.Predicate<JsonNode> condition,
            long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        JsonNode detail = null;
        while (System.currentTimeMillis() < deadline) {
            detail = api.get("/api/v1/messages/" + id).json();
            if (condition.test(detail)) {
                return detail;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("message " + id + " did not get there in " + timeoutMillis + " ms: " + detail);
    }

    private static List<String> types(JsonNode detail) {
        List<String> types = new ArrayList<>();
        detail.get("events").forEach(event -> types.add(event.get("type").asString()));
        return types;
    }

    private static boolean waitFor(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }

    private static void awaitOrReport(BooleanSupplier condition, long timeoutMillis,
            java.util.function.Supplier<String> state) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not done within " + timeoutMillis + " ms: " + state.get());
    }

    /** Waits until none of the account's messages is queued: nothing more can reach the relay. */
    private void awaitQuiet(String account) throws InterruptedException {
        awaitOrReport(() -> queued(account) == 0, 30_000, () -> "still queued: " + statuses(account));
    }

    private long queued(String account) {
        return jdbc.sql("select count(*) from message where account_id = ? and status = 'QUEUED'")
                .param(UUID.fromString(account)).query(Long.class).single();
    }

    private Map<String, Long> statuses(String account) {
        Map<String, Long> statuses = new java.util.TreeMap<>();
        jdbc.sql("select status, count(*) from message where account_id = ? group by status")
                .param(UUID.fromString(account)).query((rs, n) -> statuses.put(rs.getString(1), rs.getLong(2))).list();
        return statuses;
    }

    private List<String> lastErrors(String account) {
        return jdbc.sql("""
                select recipients || ' (' || attempts || ' attempts): ' || coalesce(last_error, '') from message
                where account_id = ? and status = 'QUEUED' limit 5""")
                .param(UUID.fromString(account)).query(String.class).list();
    }

    private Map<String, String> statusByRecipient(String account) {
        Map<String, String> statuses = new HashMap<>();
        jdbc.sql("select recipients, status from message where account_id = ?").param(UUID.fromString(account))
                .query((rs, n) -> statuses.put(rs.getString(1), rs.getString(2))).list();
        return statuses;
    }

    private static int duplicates(List<String> recipients) {
        int duplicates = 0;
        for (String recipient : recipients) {
            duplicates += Math.max(0, RELAY.acceptedFor(recipient) - 1);
        }
        return duplicates;
    }

    private static long hash(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    private static void assertRefused(int relayPort) {
        try (Socket socket = new Socket("127.0.0.1", relayPort)) {
            throw new AssertionError("the relay still accepts connections on " + relayPort);
        } catch (ConnectException refused) {
            // down, as intended
        } catch (IOException other) {
            throw new AssertionError("unexpected failure connecting to the relay", other);
        }
    }

    private static void sleepUntil(long at) throws InterruptedException {
        long wait = at - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }
}
