package io.mailtree.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.NodeIdentity;
import io.mailtree.support.Api;
import io.mailtree.support.WebSession;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The embedded default: an H2 file database and the built-in development mailbox, with no
 * configuration but a data directory. Starts, migrates and runs the main flow.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "mailtree.data-dir=target/embedded-it-${random.uuid}",
    "mailtree.operator.token=embedded-token", "mailtree.submission-port=0",
    "mailtree.inbound-port=0"})
class EmbeddedDefaultIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    NodeIdentity node;

    @Value("${mailtree.data-path}")
    String dataPath;

    @Test
    @DisplayName("On H2: every commit is written to the file before it returns, and the node's id is kept in the data directory")
    void commitsWriteThroughAndTheNodeIdIsKept() throws Exception {
        assertThat(jdbc.sql("select setting_value from information_schema.settings where setting_name = 'WRITE_DELAY'")
                .query(String.class).single().strip()).as("H2's write delay in ms").isEqualTo("0");
        assertThat(java.nio.file.Files.readString(java.nio.file.Path.of(dataPath, "node-id")).strip()).isEqualTo(node.id());
    }

    @Test
    @DisplayName("On H2: failed sign-ins are counted in the throttle's table, one row per bucket, and throttle (ADR 0019)")
    void signInThrottleOnH2() {
        String email = "h2-throttle-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        for (int i = 0; i < 5; i++) {
            assertThat(new WebSession(port).signIn(email, "wrong-password")).endsWith("error=bad");
        }
        assertThat(jdbc.sql("select failures from login_failure where bucket = ?").param("login:" + email)
                .query(Integer.class).single()).isEqualTo(5);
        assertThat(new WebSession(port).signIn(email, "wrong-password")).endsWith("error=throttled");
        jdbc.sql("delete from login_failure where bucket = 'addr:127.0.0.1'").update();
    }

    @Test
    @DisplayName("On H2: sign-up mail lands in the development mailbox and verifies the account (D-1)")
    void signUpThroughTheDevelopmentMailbox() throws Exception {
        String email = "embedded-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        WebSession web = new WebSession(port);
        web.get("/signup");
        assertThat(web.post("/signup", Map.of("name", "Embedded Co", "email", email, "password", "embedded-password"))
                .path()).isEqualTo("/check-email");

        String link = null;
        for (int i = 0; i < 100 && link == null; i++) {
            Matcher matcher = Pattern.compile("(/verify\\?token=[A-Za-z0-9_.\\-]+)")
                    .matcher(web.get("/dev/mailbox?to=" + email).body());
            link = matcher.find() ? matcher.group(1) : null;
            if (link == null) {
                Thread.sleep(100);
            }
        }
        assertThat(link).as("verification link in /dev/mailbox").isNotNull();
        assertThat(web.confirm(link).path()).isEqualTo("/login?verified");
        assertThat(web.get("/home").status()).isEqualTo(200);
    }

    @Test
    @DisplayName("On H2: a CSV import with duplicates and bad rows, its re-import, and the D-11 refusal")
    void importOnH2() throws Exception {
        Api operator = Api.operator(port, "embedded-token");
        JsonNode created = operator.post("/api/platform/v1/masters", "{\"name\":\"H2 importer\",\"ownerEmail\":\"h2i-"
                + UUID.randomUUID().toString().substring(0, 8) + "@example.test\",\"plan\":\"free\"}").json();
        Api master = Api.withKey(port, created.get("apiKey"));
        long list = master.post("/api/v1/lists", "{\"name\":\"H2 list\"}").json().get("id").asLong();
        StringBuilder csv = new StringBuilder("email,name,city\n");
        for (int i = 0; i < 300; i++) {
            csv.append("h2-").append(i).append("@example.test,Name ").append(i).append(",Rennes\n");
        }
        csv.append("bad-row,Nobody,\nh2-1@example.test,Renamed,Brest\n");
        JsonNode job = awaitImport(master, master.postMultipart("/api/v1/imports", Map.of("listId", String.valueOf(list)),
                "h2.csv", csv.toString().getBytes()).json().get("id").asString());
        assertThat(job.get("status").asString()).isEqualTo("DONE");
        assertThat(job.get("rowsImported").asInt()).isEqualTo(300);
        assertThat(job.get("rowsInvalid").asInt()).isEqualTo(1);
        JsonNode renamed = master.get("/api/v1/contacts?q=h2-1@").json().get("items").get(0);
        assertThat(renamed.get("name").asString()).isEqualTo("Renamed");
        assertThat(renamed.get("properties").get("city").asString()).isEqualTo("Brest");
        assertThat(master.get("/api/v1/lists/" + list).json().get("memberCount").asInt()).isEqualTo(300);

        JsonNode again = awaitImport(master, master.postMultipart("/api/v1/imports", Map.of("listId", String.valueOf(list)),
                "h2.csv", csv.toString().getBytes()).json().get("id").asString());
        assertThat(again.get("rowsCreated").asInt()).isZero();
        assertThat(again.get("rowsUpdated").asInt()).isZero();

        StringBuilder tooMany = new StringBuilder("email\n");
        for (int i = 0; i < 201; i++) {
            tooMany.append("more-").append(i).append("@example.test\n");
        }
        JsonNode refused = awaitImport(master, master.postMultipart("/api/v1/imports", Map.of(), "more.csv",
                tooMany.toString().getBytes()).json().get("id").asString());
        assertThat(refused.get("status").asString()).isEqualTo("REFUSED");
        assertThat(refused.get("code").asString()).isEqualTo("contact_allowance_exceeded");
        assertThat(master.get("/api/v1/account").json().get("allowance").get("ownActiveContacts").asInt()).isEqualTo(300);
    }

    @Test
    @DisplayName("On H2: the send API delivers into the development mailbox (D-29)")
    void sendIntoTheDevelopmentMailbox() throws Exception {
        Api operator = Api.operator(port, "embedded-token");
        JsonNode created = operator.post("/api/platform/v1/masters", "{\"name\":\"H2 sender\",\"ownerEmail\":\"h2s-"
                + UUID.randomUUID().toString().substring(0, 8) + "@example.test\",\"plan\":\"pro-1000\"}").json();
        Api master = Api.withKey(port, created.get("apiKey"));
        String sender = "news-" + UUID.randomUUID().toString().substring(0, 6) + "@h2.example.test";
        master.post("/api/v1/senders", "{\"email\":\"" + sender + "\"}");
        WebSession web = new WebSession(port);
        String confirm = null;
        for (int i = 0; i < 100 && confirm == null; i++) {
            Matcher matcher = Pattern.compile("(/senders/confirm\\?token=[A-Za-z0-9_.\\-]+)")
                    .matcher(web.get("/dev/mailbox?to=" + sender).body());
            confirm = matcher.find() ? matcher.group(1) : null;
            if (confirm == null) {
                Thread.sleep(100);
            }
        }
        assertThat(web.confirm(confirm).body()).contains("id=\"sender-confirmed\"");
        String to = "reader-" + UUID.randomUUID().toString().substring(0, 6) + "@example.test";
        String id = master.post("/api/v1/send", "{\"messages\":[{\"from\":{\"email\":\"" + sender + "\"},\"to\":[{\"email\":\""
                + to + "\"}],\"subject\":\"Hello from H2\",\"text\":\"It works.\"}]}").json().get("results").get(0)
                .get("id").asString();
        String status = "";
        for (int i = 0; i < 100 && !status.equals("DELIVERED"); i++) {
            status = master.get("/api/v1/messages/" + id).json().get("message").get("status").asString();
            Thread.sleep(100);
        }
        assertThat(status).isEqualTo("DELIVERED");
        assertThat(web.get("/dev/mailbox?to=" + to).body()).contains("Hello from H2").contains("It works.");

        // Hourly statistics on H2 (MERGE instead of PostgreSQL's upsert): 17 more single-message calls are
        // 17 transactions over 16 shard rows, so at least one adds to a row that exists.
        for (int i = 0; i < 17; i++) {
            master.post("/api/v1/send", "{\"messages\":[{\"from\":{\"email\":\"" + sender + "\"},\"to\":[{\"email\":\""
                    + to + "\"}],\"subject\":\"Again " + i + "\",\"text\":\"Counted.\"}]}");
        }
        String range = "?from=" + java.time.Instant.now().minusSeconds(3600) + "&to=" + java.time.Instant.now().plusSeconds(60);
        long delivered = 0;
        for (int i = 0; i < 100 && delivered < 18; i++) {
            delivered = master.get("/api/v1/statistics/hourly" + range).json().get("totals").get("DELIVERED").asLong();
            Thread.sleep(100);
        }
        JsonNode totals = master.get("/api/v1/statistics/hourly" + range).json().get("totals");
        assertThat(totals.get("ACCEPTED").asLong()).isEqualTo(18);
        assertThat(totals.get("DELIVERED").asLong()).isEqualTo(18);
    }

    private static JsonNode awaitImport(Api api, String id) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            JsonNode job = api.get("/api/v1/imports/" + id).json();
            if (!job.get("status").asString().equals("RUNNING")) {
                return job;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("import did not finish");
    }

    @Test
    @DisplayName("On H2: D-8 example A, deactivation and the one-click switch work as on PostgreSQL")
    void mainFlowOnH2() {
        Api operator = Api.operator(port, "embedded-token");
        JsonNode created = operator.post("/api/platform/v1/masters", "{\"name\":\"H2 master\",\"ownerEmail\":\"h2-"
                + UUID.randomUUID().toString().substring(0, 8) + "@example.test\",\"plan\":\"lite-1000\"}").json();
        Api master = Api.withKey(port, created.get("apiKey"));
        String subOwner = "h2-sub-" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
        Api.Response first = master.post("/api/v1/subaccounts", "{\"name\":\"Alpha\",\"ownerEmail\":\"" + subOwner
                + "\",\"password\":\"alpha-password\",\"contactAllocation\":500}");
        assertThat(first.status()).isEqualTo(201);
        assertThat(master.post("/api/v1/subaccounts", "{\"name\":\"Beta\",\"ownerEmail\":\"b-" + subOwner
                + "\",\"contactAllocation\":500}").status()).isEqualTo(201);
        Api.Response third = master.post("/api/v1/subaccounts", "{\"name\":\"Gamma\",\"ownerEmail\":\"c-" + subOwner
                + "\",\"contactAllocation\":500}");
        assertThat(third.status()).isEqualTo(409);
        assertThat(third.code()).isEqualTo("contact_allowance_exceeded");

        JsonNode list = master.get("/api/v1/subaccounts?q=alp").json();
        assertThat(list.get("total").asInt()).isEqualTo(1);
        String alpha = first.json().get("subaccount").get("id").asString();
        assertThat(master.post("/api/v1/subaccounts/" + alpha + "/deactivate", null).status()).isEqualTo(200);
        assertThat(master.get("/api/v1/account").json().get("allowance").get("available").asInt()).isEqualTo(500);
        assertThat(new WebSession(port).signIn(subOwner, "alpha-password")).endsWith("error=deactivated");
        assertThat(master.post("/api/v1/subaccounts/" + alpha + "/activate", null).status()).isEqualTo(200);
        assertThat(new WebSession(port).signIn(subOwner, "alpha-password")).endsWith("/home");
    }
}
