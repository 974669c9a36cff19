package io.mailtree.keys;

import static io.mailtree.support.SmtpLines.command;
import static io.mailtree.support.SmtpLines.reply;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.ApiKeyId;
import io.mailtree.shared.MastersOnly;
import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;

/**
 * Key management (D-16, D-17) over {@code /api/v1/keys}, the keys page and SMTP submission, on real
 * PostgreSQL and the real submission server: who may create keys, revocation and rotation with a
 * grace period honoured by both ways in, tenancy, bad input, last use and the audit log.
 */
class KeyManagementIntegrationTests extends MailtreeTestBase {

    private static final String PASSWORD = "key-management-password";

    @Value("${mailtree.submission-port}")
    int submissionPort;

    @Autowired
    ApiKeys apiKeys;

    // --- D-16 --------------------------------------------------------------------------------

    @Test
    @DisplayName("D-16: each new master and sub-account has its own key, listed as primary and transactional")
    void d16_newAccountsHaveTheirKeyListed() {
        Master master = master("pro-5000");
        JsonNode sub = createSubaccount(master.api(), 500).json();
        String subId = sub.get("subaccount").get("id").asString();

        JsonNode masterKeys = master.api().get("/api/v1/keys?account=" + master.id()).json();
        assertThat(masterKeys).hasSize(1);
        assertThat(masterKeys.get(0).get("primary").asBoolean()).isTrue();
        assertThat(masterKeys.get(0).get("label").asString()).isEqualTo("TRANSACTIONAL");
        assertThat(masterKeys.get(0).get("status").asString()).isEqualTo("ACTIVE");
        assertThat(masterKeys.get(0).has("secret")).isFalse();

        JsonNode subKeys = Api.withKey(port, sub.get("apiKey")).get("/api/v1/keys").json();
        assertThat(subKeys).hasSize(1);
        assertThat(subKeys.get(0).get("publicKey").asString()).isEqualTo(sub.get("apiKey").get("publicKey").asString());
        assertThat(subKeys.get(0).get("account").asString()).isEqualTo(subId);
        assertThat(subKeys.get(0).get("label").asString()).isEqualTo("TRANSACTIONAL");
        // The master's list holds both: its own first, then the sub-account's.
        JsonNode all = master.api().get("/api/v1/keys").json();
        assertThat(all).hasSize(2);
        assertThat(all.get(0).get("account").asString()).isEqualTo(master.id());
        assertThat(all.get(1).get("account").asString()).isEqualTo(subId);
    }

    // --- D-17: creating ----------------------------------------------------------------------

    @Test
    @DisplayName("D-17: a master creates a marketing key for a sub-account; its secret is answered once and acts as the sub-account")
    void d17_masterCreatesKeysForItselfAndItsSubaccounts() {
        Master master = master("pro-5000");
        String subId = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();

        Api.Response created = master.api().post("/api/v1/keys",
                "{\"name\":\"Newsletter\",\"label\":\"MARKETING\",\"account\":\"" + subId + "\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode key = created.json().get("key");
        String secret = created.json().get("secret").asString();
        assertThat(secret).startsWith("mt_sk_").hasSize(46);
        assertThat(key.get("label").asString()).isEqualTo("MARKETING");
        assertThat(key.get("primary").asBoolean()).isFalse();
        assertThat(key.get("account").asString()).isEqualTo(subId);
        assertThat(key.get("secretHint").asString()).isEqualTo(secret.substring(secret.length() - 4));
        Api newKey = Api.withKey(port, key.get("publicKey").asString(), secret);
        assertThat(newKey.get("/api/v1/account").json().get("id").asString()).isEqualTo(subId);
        // Never answered again, and stored as a hash only.
        assertThat(master.api().get("/api/v1/keys/" + key.get("id").asString()).body()).doesNotContain(secret);
        assertThat(jdbc.sql("select secret_hash from api_key where id = ?").param(UUID.fromString(key.get("id").asString()))
                .query(String.class).single()).isEqualTo(io.mailtree.shared.Secrets.sha256Hex(secret));

        // A key for the master itself: no account given; the label defaults to TRANSACTIONAL.
        JsonNode own = master.api().post("/api/v1/keys", "{\"name\":\"Receipts\"}").json().get("key");
        assertThat(own.get("account").asString()).isEqualTo(master.id());
        assertThat(own.get("label").asString()).isEqualTo("TRANSACTIONAL");

        assertThat(master.api().get("/api/v1/keys?account=" + subId).json()).extracting(k -> k.get("name").asString())
                .containsExactly("Secondary key", "Newsletter");
        assertThat(master.api().get("/api/v1/keys").json()).hasSize(4);
        assertThat(auditActions(subId)).contains("key.created");
        assertThat(audit(subId, "key.created", key.get("id").asString()).get("actor"))
                .isEqualTo(jdbc.sql("select public_key from api_key where account_id = ? and is_primary")
                        .param(UUID.fromString(master.id())).query(String.class).single());
    }

    @Test
    @DisplayName("D-17: a sub-account cannot create keys: 403 masters_only over the API (own key, on behalf of) and on the page, which has no button")
    void d17_subAccountCannotCreateKeys() {
        Master master = master("pro-5000");
        String subOwner = uniqueEmail("keys-sub");
        JsonNode sub = createSubaccount(master.api(), "Keyless shop", subOwner, PASSWORD, 500).json();
        String subId = sub.get("subaccount").get("id").asString();
        Api subKey = Api.withKey(port, sub.get("apiKey"));
        String subKeyId = subKey.get("/api/v1/keys").json().get(0).get("id").asString();

        Api.Response refused = subKey.post("/api/v1/keys", "{\"name\":\"Mine\",\"label\":\"MARKETING\"}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo(MastersOnly.CODE);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        // The master's key acting on behalf of the sub-account is the sub-account too.
        assertThat(master.api().onBehalfOf(subId).post("/api/v1/keys", "{\"name\":\"Mine\"}").code())
                .isEqualTo(MastersOnly.CODE);
        // Nor may it change, revoke or rotate its own key.
        assertThat(subKey.patch("/api/v1/keys/" + subKeyId, "{\"label\":\"MARKETING\"}").code()).isEqualTo(MastersOnly.CODE);
        assertThat(subKey.post("/api/v1/keys/" + subKeyId + "/rotate", "{}").code()).isEqualTo(MastersOnly.CODE);
        assertThat(subKey.post("/api/v1/keys/" + subKeyId + "/revoke", "{}").code()).isEqualTo(MastersOnly.CODE);

        WebSession web = new WebSession(port);
        assertThat(web.signIn(subOwner, PASSWORD)).endsWith("/home");
        WebSession.Page page = web.get("/keys");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains(sub.get("apiKey").get("publicKey").asString())
                .doesNotContain("id=\"create-key\"").doesNotContain("id=\"new-key\"").doesNotContain("/revoke\"")
                .contains("id=\"subaccount-hint\"");
        assertThat(web.get("/home").body()).contains("id=\"nav-keys\"");
        WebSession.Page posted = web.post("/keys", Map.of("name", "Forged", "label", "MARKETING"));
        assertThat(posted.status()).isEqualTo(403);
        assertThat(web.post("/keys/" + subKeyId + "/revoke", Map.of()).status()).isEqualTo(403);

        assertThat(keyCount(subId)).isEqualTo(1);
        assertThat(jdbc.sql("select status from api_key where id = ?").param(UUID.fromString(subKeyId))
                .query(String.class).single()).isEqualTo("ACTIVE");
        assertThat(auditActions(subId)).doesNotContain("key.revoked", "key.relabelled", "key.rotated");
    }

    // --- D-17: revoking and rotating ---------------------------------------------------------

    @Test
    @DisplayName("D-17: a revoked key is refused over HTTP (401 problem) and over SMTP submission AUTH (535 5.7.8)")
    void d17_revokedKeyRefusedOverHttpAndSmtp() throws Exception {
        Master master = master("pro-5000");
        NewKey created = createKey(master, "{\"name\":\"Shop\"}");
        String publicKey = created.publicKey();
        String secret = created.secret();
        String id = created.id();
        assertThat(Api.withKey(port, publicKey, secret).get("/api/v1/account").status()).isEqualTo(200);
        assertThat(smtpAuth(publicKey, secret)).startsWith("235");

        JsonNode revoked = master.api().post("/api/v1/keys/" + id + "/revoke", "{}").json();
        assertThat(revoked.get("status").asString()).isEqualTo("REVOKED");
        assertThat(revoked.get("revokedAt").isNull()).isFalse();

        Api.Response refused = Api.withKey(port, publicKey, secret).get("/api/v1/account");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.code()).isEqualTo("invalid_credentials");
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(smtpAuth(publicKey, secret)).startsWith("535 5.7.8");
        assertThat(auditActions(master.id())).contains("key.revoked");
        // Revoked is final: changing or rotating it is refused, and a second revocation too.
        assertThat(master.api().post("/api/v1/keys/" + id + "/rotate", "{}").code()).isEqualTo("api_key_revoked");
        assertThat(master.api().patch("/api/v1/keys/" + id, "{\"name\":\"Again\"}").code()).isEqualTo("api_key_revoked");
        assertThat(master.api().post("/api/v1/keys/" + id + "/revoke", "{}").status()).isEqualTo(409);
    }

    @Test
    @DisplayName("D-17: within the grace period both secrets work; after it the rotated-out secret is refused over HTTP and SMTP")
    void d17_rotatedOutSecretRefusedAfterGrace() throws Exception {
        Master master = master("pro-5000");
        String subId = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();
        NewKey created = createKey(master, "{\"name\":\"Rotating\",\"account\":\"" + subId + "\"}");
        String id = created.id();
        String publicKey = created.publicKey();
        String oldSecret = created.secret();

        JsonNode rotated = master.api().post("/api/v1/keys/" + id + "/rotate", "{\"graceMinutes\":90}").json();
        String newSecret = rotated.get("secret").asString();
        assertThat(newSecret).startsWith("mt_sk_").isNotEqualTo(oldSecret);
        Instant graceEnd = Instant.parse(rotated.get("key").get("previousSecretValidUntil").asString());
        assertThat(graceEnd).isBetween(clock().instant().plus(Duration.ofMinutes(89)),
                clock().instant().plus(Duration.ofMinutes(91)));
        // Two hashes, never a secret.
        Map<String, Object> row = jdbc.sql("select secret_hash, previous_secret_hash from api_key where id = ?")
                .param(UUID.fromString(id)).query().singleRow();
        assertThat(row.get("secret_hash")).isEqualTo(io.mailtree.shared.Secrets.sha256Hex(newSecret));
        assertThat(row.get("previous_secret_hash")).isEqualTo(io.mailtree.shared.Secrets.sha256Hex(oldSecret));

        // D-17 grace accepted: within it, the old secret still works on both ways in, and so does the new one.
        advanceClock(Duration.ofMinutes(80));
        assertThat(Api.withKey(port, publicKey, oldSecret).get("/api/v1/account").json().get("id").asString())
                .isEqualTo(subId);
        assertThat(smtpAuth(publicKey, oldSecret)).startsWith("235");
        assertThat(Api.withKey(port, publicKey, newSecret).get("/api/v1/account").status()).isEqualTo(200);

        advanceClock(Duration.ofMinutes(11));
        Api.Response refused = Api.withKey(port, publicKey, oldSecret).get("/api/v1/account");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.code()).isEqualTo("invalid_credentials");
        assertThat(smtpAuth(publicKey, oldSecret)).startsWith("535 5.7.8");
        assertThat(Api.withKey(port, publicKey, newSecret).get("/api/v1/account").status()).isEqualTo(200);
        assertThat(smtpAuth(publicKey, newSecret)).startsWith("235");
        assertThat((String) audit(subId, "key.rotated", id).get("detail")).contains("previousSecretValidUntil=");
    }

    @Test
    @DisplayName("D-17: rotation without grace refuses the old secret at once; rotating again drops the older one; default grace is an hour")
    void d17_rotationWithoutGraceAndRepeatedRotation() {
        Master master = master("pro-5000");
        NewKey created = createKey(master, "{\"name\":\"Strict\"}");
        String id = created.id();
        String publicKey = created.publicKey();
        String first = created.secret();

        JsonNode noGrace = master.api().post("/api/v1/keys/" + id + "/rotate", "{\"graceMinutes\":0}").json();
        assertThat(noGrace.get("key").get("previousSecretValidUntil").isNull()).isTrue();
        assertThat(Api.withKey(port, publicKey, first).get("/api/v1/account").status()).isEqualTo(401);
        String second = noGrace.get("secret").asString();

        // No body: the default grace of one hour.
        Api.Response defaulted = master.api().send("POST", "/api/v1/keys/" + id + "/rotate", null);
        assertThat(defaulted.status()).isEqualTo(200);
        Instant until = Instant.parse(defaulted.json().get("key").get("previousSecretValidUntil").asString());
        assertThat(Duration.between(clock().instant(), until)).isBetween(Duration.ofMinutes(59), Duration.ofMinutes(61));
        String third = defaulted.json().get("secret").asString();
        assertThat(Api.withKey(port, publicKey, second).get("/api/v1/account").status()).isEqualTo(200);

        // A third rotation keeps only the secret it replaces in grace; the one before is refused at once.
        String fourth = master.api().post("/api/v1/keys/" + id + "/rotate", "{\"graceMinutes\":30}").json()
                .get("secret").asString();
        assertThat(Api.withKey(port, publicKey, second).get("/api/v1/account").status()).isEqualTo(401);
        assertThat(Api.withKey(port, publicKey, third).get("/api/v1/account").status()).isEqualTo(200);
        assertThat(Api.withKey(port, publicKey, fourth).get("/api/v1/account").status()).isEqualTo(200);

        // Revoking ends the grace too.
        master.api().post("/api/v1/keys/" + id + "/revoke", "{}");
        assertThat(Api.withKey(port, publicKey, third).get("/api/v1/account").status()).isEqualTo(401);
        assertThat(Api.withKey(port, publicKey, fourth).get("/api/v1/account").status()).isEqualTo(401);
    }

    @Test
    @DisplayName("D-17, D-32: renaming and relabelling change the key and are audited with actor and account")
    void d17_renameAndRelabelAreAudited() {
        Master master = master("pro-5000");
        String subId = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();
        String id = master.api().post("/api/v1/keys", "{\"name\":\"Old name\",\"account\":\"" + subId + "\"}").json()
                .get("key").get("id").asString();

        JsonNode changed = master.api().patch("/api/v1/keys/" + id, "{\"name\":\" Campaigns \",\"label\":\"marketing\"}").json();
        assertThat(changed.get("name").asString()).isEqualTo("Campaigns");
        assertThat(changed.get("label").asString()).isEqualTo("MARKETING");
        assertThat(apiKeys.labelsOf(List.of(new ApiKeyId(UUID.fromString(id))))).containsExactly(
                Map.entry(new ApiKeyId(UUID.fromString(id)), KeyLabel.MARKETING));

        Map<String, Object> renamed = audit(subId, "key.renamed", id);
        assertThat(renamed.get("detail")).isEqualTo("from=Old name, to=Campaigns");
        assertThat(renamed.get("root_account_id")).isEqualTo(UUID.fromString(master.id()));
        assertThat(renamed.get("actor_kind")).isEqualTo("API_KEY");
        assertThat(audit(subId, "key.relabelled", id).get("detail")).isEqualTo("from=TRANSACTIONAL, to=MARKETING");
        // The master sees them in its audit log.
        assertThat(master.api().get("/api/v1/audit").body()).contains("key.renamed").contains("key.relabelled");
        // Sub-account's own audit log shows the acts on its keys.
        assertThat(auditActions(subId)).contains("key.created", "key.renamed", "key.relabelled");
    }

    @Test
    @DisplayName("Delivery can read the labels of a set of keys; unknown ids are absent")
    void labelsOfASetOfKeys() {
        Master master = master("pro-5000");
        String marketing = master.api().post("/api/v1/keys", "{\"name\":\"M\",\"label\":\"MARKETING\"}").json()
                .get("key").get("id").asString();
        String primary = master.api().get("/api/v1/keys").json().get(0).get("id").asString();
        ApiKeyId unknown = ApiKeyId.random();
        Map<ApiKeyId, KeyLabel> labels = apiKeys.labelsOf(List.of(new ApiKeyId(UUID.fromString(marketing)),
                new ApiKeyId(UUID.fromString(primary)), unknown));
        assertThat(labels).containsOnly(Map.entry(new ApiKeyId(UUID.fromString(marketing)), KeyLabel.MARKETING),
                Map.entry(new ApiKeyId(UUID.fromString(primary)), KeyLabel.TRANSACTIONAL));
        assertThat(apiKeys.labelsOf(List.of())).isEmpty();
    }

    // --- last use ----------------------------------------------------------------------------

    @Test
    @DisplayName("D-17: last use and source address are recorded at authentication, over HTTP and SMTP, at most once a minute")
    void lastUseRecordedCheaply() throws Exception {
        Master master = master("pro-5000");
        JsonNode created = master.api().post("/api/v1/keys", "{\"name\":\"Tracked\"}").json();
        String id = created.get("key").get("id").asString();
        String publicKey = created.get("key").get("publicKey").asString();
        String secret = created.get("secret").asString();
        assertThat(created.get("key").get("lastUsedAt").isNull()).isTrue();

        Api key = Api.withKey(port, publicKey, secret);
        key.get("/api/v1/account");
        Instant first = lastUsedAt(id);
        assertThat(first).isNotNull();
        JsonNode listed = master.api().get("/api/v1/keys/" + id).json();
        assertThat(listed.get("lastUsedAddress").asString()).isEqualTo("127.0.0.1");

        // Within the minute nothing is written again.
        advanceClock(Duration.ofSeconds(30));
        key.get("/api/v1/account");
        assertThat(lastUsedAt(id)).isEqualTo(first);

        // After it, an SMTP login writes it.
        advanceClock(Duration.ofSeconds(40));
        assertThat(smtpAuth(publicKey, secret)).startsWith("235");
        assertThat(lastUsedAt(id)).isAfter(first.plusSeconds(60));

        // A wrong secret is no use of the key.
        Instant before = lastUsedAt(id);
        advanceClock(Duration.ofMinutes(5));
        Api.withKey(port, publicKey, "mt_sk_wrong").get("/api/v1/account");
        assertThat(lastUsedAt(id)).isEqualTo(before);
    }

    // --- tenancy -----------------------------------------------------------------------------

    @Test
    @DisplayName("Tenancy: another master's key and a sibling sub-account's key answer 404; a master reaches its sub-accounts' keys")
    void keysOutOfReachAnswerNotFound() {
        Master master = master("pro-5000");
        Master other = master("pro-5000");
        JsonNode subA = createSubaccount(master.api(), 500).json();
        JsonNode subB = createSubaccount(master.api(), 500).json();
        JsonNode otherSub = createSubaccount(other.api(), 500).json();
        String otherKey = other.api().get("/api/v1/keys?account=" + other.id()).json().get(0).get("id").asString();
        String otherSubId = otherSub.get("subaccount").get("id").asString();
        Api subAKey = Api.withKey(port, subA.get("apiKey"));
        String subBKey = Api.withKey(port, subB.get("apiKey")).get("/api/v1/keys").json().get(0).get("id").asString();
        String masterKey = master.api().get("/api/v1/keys?account=" + master.id()).json().get(0).get("id").asString();

        for (String path : List.of("/api/v1/keys/" + otherKey)) {
            assertThat(master.api().get(path).code()).isEqualTo(ApiKeyNotFound.CODE);
            assertThat(master.api().patch(path, "{\"name\":\"Mine now\"}").status()).isEqualTo(404);
            assertThat(master.api().post(path + "/revoke", "{}").status()).isEqualTo(404);
            assertThat(master.api().post(path + "/rotate", "{}").status()).isEqualTo(404);
        }
        // Another master's sub-account: no key listed for it, none created for it.
        assertThat(master.api().get("/api/v1/keys?account=" + otherSubId).code()).isEqualTo("subaccount_not_found");
        assertThat(master.api().post("/api/v1/keys", "{\"name\":\"X\",\"account\":\"" + otherSubId + "\"}").status())
                .isEqualTo(404);
        // A sub-account sees neither its sibling's key nor its master's.
        assertThat(subAKey.get("/api/v1/keys/" + subBKey).status()).isEqualTo(404);
        assertThat(subAKey.get("/api/v1/keys/" + masterKey).status()).isEqualTo(404);
        assertThat(subAKey.get("/api/v1/keys?account=" + subB.get("subaccount").get("id").asString()).status())
                .isEqualTo(404);
        assertThat(subAKey.get("/api/v1/keys?account=" + master.id()).status()).isEqualTo(404);
        assertThat(subAKey.get("/api/v1/keys").json()).hasSize(1);
        // A master acts on its sub-account's key.
        assertThat(master.api().patch("/api/v1/keys/" + subBKey, "{\"name\":\"Renamed by master\"}").json()
                .get("name").asString()).isEqualTo("Renamed by master");
        // Nothing of the other master changed.
        assertThat(other.api().get("/api/v1/keys/" + otherKey).json().get("status").asString()).isEqualTo("ACTIVE");
        assertThat(other.api().get("/api/v1/keys/" + otherKey).json().get("name").asString()).isEqualTo("Primary key");
        assertThat(auditActions(other.id())).doesNotContain("key.renamed", "key.revoked", "key.rotated");
    }

    // --- bad input ---------------------------------------------------------------------------

    @Test
    @DisplayName("Bad input: unknown label, blank or too long name, grace over 24 h or negative, malformed ids: a problem code, nothing changed")
    void badInputIsRefusedAndChangesNothing() {
        Master master = master("pro-5000");
        NewKey created = createKey(master, "{\"name\":\"Steady\"}");
        String id = created.id();
        String publicKey = created.publicKey();
        String secret = created.secret();
        long keysBefore = keyCount(master.id());
        String hashBefore = secretHash(id);

        assertProblem(master.api().post("/api/v1/keys", "{\"name\":\"A\",\"label\":\"PROMOTIONAL\"}"), 400, "unknown_key_label");
        assertProblem(master.api().post("/api/v1/keys", "{\"name\":\"" + "n".repeat(101) + "\"}"), 400, "key_name_too_long");
        assertProblem(master.api().post("/api/v1/keys", "{\"name\":\"   \"}"), 400, "key_name_required");
        assertProblem(master.api().post("/api/v1/keys", "{\"label\":\"MARKETING\"}"), 400, "key_name_required");
        assertProblem(master.api().post("/api/v1/keys", "{\"name\":\"A\",\"account\":\"not-a-uuid\"}"), 404,
                "subaccount_not_found");
        assertProblem(master.api().post("/api/v1/keys", "{\"name\":\"A\",\"colour\":\"red\"}"), 400, "unknown_field");
        assertProblem(master.api().post("/api/v1/keys", "{\"name\":"), 400, "malformed_json");
        assertThat(keyCount(master.id())).isEqualTo(keysBefore);

        assertProblem(master.api().patch("/api/v1/keys/" + id, "{\"label\":\"SPAM\"}"), 400, "unknown_key_label");
        assertProblem(master.api().patch("/api/v1/keys/" + id, "{\"name\":\"" + "n".repeat(101) + "\"}"), 400,
                "key_name_too_long");
        // A valid name beside a bad label changes neither.
        assertProblem(master.api().patch("/api/v1/keys/" + id, "{\"name\":\"Changed\",\"label\":\"SPAM\"}"), 400,
                "unknown_key_label");
        JsonNode unchanged = master.api().get("/api/v1/keys/" + id).json();
        assertThat(unchanged.get("name").asString()).isEqualTo("Steady");
        assertThat(unchanged.get("label").asString()).isEqualTo("TRANSACTIONAL");

        Api.Response tooLong = master.api().post("/api/v1/keys/" + id + "/rotate", "{\"graceMinutes\":1441}");
        assertProblem(tooLong, 400, "grace_period_too_long");
        assertThat(tooLong.json().get("maxMinutes").asLong()).isEqualTo(1440);
        assertProblem(master.api().post("/api/v1/keys/" + id + "/rotate", "{\"graceMinutes\":9223372036854775807}"), 400,
                "grace_period_too_long");
        assertProblem(master.api().post("/api/v1/keys/" + id + "/rotate", "{\"graceMinutes\":-5}"), 400,
                "invalid_grace_period");
        assertProblem(master.api().post("/api/v1/keys/" + id + "/rotate", "{\"graceMinutes\":\"soon\"}"), 400,
                "malformed_json");
        assertThat(secretHash(id)).isEqualTo(hashBefore);
        assertThat(Api.withKey(port, publicKey, secret).get("/api/v1/account").status()).isEqualTo(200);

        for (String malformed : List.of("not-a-key", "123", UUID.randomUUID().toString(), "%20", "x".repeat(300))) {
            assertProblem(master.api().get("/api/v1/keys/" + malformed), 404, ApiKeyNotFound.CODE);
            assertProblem(master.api().post("/api/v1/keys/" + malformed + "/revoke", "{}"), 404, ApiKeyNotFound.CODE);
        }
        assertProblem(master.api().get("/api/v1/keys?account=garbage"), 404, "subaccount_not_found");
        assertThat(auditActions(master.id())).containsOnlyOnce("key.created");
    }

    @Test
    @DisplayName("The keys page: a master creates a key for a sub-account, sees the secret once, and a bad input is told on the page")
    void keysPageActsAndTellsRefusals() {
        Master master = master("pro-5000");
        String subId = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();
        WebSession web = signedInOwner(master);

        WebSession.Page list = web.get("/keys");
        assertThat(list.body()).contains("id=\"create-key\"").contains("value=\"" + subId + "\"");
        WebSession.Page created = web.follow(web.post("/keys",
                Map.of("account", subId, "name", "Page key", "label", "MARKETING")));
        assertThat(created.body()).contains("id=\"new-secret\"").containsPattern("value=\"mt_sk_[A-Za-z0-9_-]{40}\"");
        assertThat(web.get("/keys").body()).doesNotContain("id=\"new-secret\"").contains("Page key");
        String id = jdbc.sql("select id from api_key where account_id = ? and name = 'Page key'")
                .param(UUID.fromString(subId)).query(UUID.class).single().toString();
        assertThat(jdbc.sql("select label from api_key where id = ?").param(UUID.fromString(id)).query(String.class)
                .single()).isEqualTo("MARKETING");

        String hash = secretHash(id);
        WebSession.Page refused = web.follow(web.post("/keys/" + id + "/rotate", Map.of("graceMinutes", "2000")));
        assertThat(refused.body()).contains("at most 24 hours").doesNotContain("id=\"new-secret\"");
        assertThat(secretHash(id)).isEqualTo(hash);
        assertThat(web.follow(web.post("/keys", Map.of("name", "Odd", "label", "OTHER"))).body())
                .contains("The label must be Transactional or Marketing");
        assertThat(web.post("/keys/" + UUID.randomUUID() + "/revoke", Map.of()).status()).isEqualTo(404);

        WebSession.Page rotated = web.follow(web.post("/keys/" + id + "/rotate", Map.of("graceMinutes", "60")));
        assertThat(rotated.body()).contains("id=\"new-secret\"").contains("id=\"grace-until\"");
        assertThat(secretHash(id)).isNotEqualTo(hash);
        WebSession.Page revoked = web.follow(web.post("/keys/" + id + "/revoke", Map.of()));
        assertThat(revoked.body()).contains("Page key");
        assertThat(jdbc.sql("select status from api_key where id = ?").param(UUID.fromString(id)).query(String.class)
                .single()).isEqualTo("REVOKED");
        assertThat(web.get("/keys?lang=fr").body()).contains("Clés d’API").contains("Révoquée");
        assertThat(web.get("/keys?lang=ja").body()).contains("API キー").contains("失効");
    }

    @Test
    @DisplayName("The OpenAPI document describes the keys endpoints and the rotation's grace")
    void openApiDescribesKeys() {
        JsonNode docs = Api.anonymous(port).get("/v3/api-docs").json();
        JsonNode paths = docs.get("paths");
        assertThat(paths.has("/api/v1/keys")).isTrue();
        assertThat(paths.get("/api/v1/keys").has("post")).isTrue();
        assertThat(paths.get("/api/v1/keys/{id}").has("patch")).isTrue();
        assertThat(paths.has("/api/v1/keys/{id}/revoke")).isTrue();
        assertThat(paths.has("/api/v1/keys/{id}/rotate")).isTrue();
        JsonNode schemas = docs.get("components").get("schemas");
        assertThat(schemas.get("ApiKeyRotation").get("properties").has("graceMinutes")).isTrue();
        assertThat(schemas.get("ApiKey").get("properties").has("lastUsedAddress")).isTrue();
        assertThat(schemas.get("ApiKeyWithSecret").get("properties").has("secret")).isTrue();
    }

    // --- helpers -----------------------------------------------------------------------------

    /** A key created over the API, with the secret shown once. */
    private record NewKey(String id, String publicKey, String secret) {
    }

    private static NewKey createKey(Master master, String json) {
        JsonNode created = master.api().post("/api/v1/keys", json).json();
        return new NewKey(created.get("key").get("id").asString(), created.get("key").get("publicKey").asString(),
                created.get("secret").asString());
    }

    private WebSession signedInOwner(Master master) {
        jdbc.sql("update app_user set password_hash = ? where account_id = ?")
                .params("{noop}" + PASSWORD, UUID.fromString(master.id())).update();
        String email = jdbc.sql("select email from app_user where account_id = ?").param(UUID.fromString(master.id()))
                .query(String.class).single();
        WebSession web = new WebSession(port);
        assertThat(web.signIn(email, PASSWORD)).endsWith("/home");
        return web;
    }

    /** AUTH PLAIN on the real submission server; answers its reply to AUTH. */
    private String smtpAuth(String publicKey, String secret) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", submissionPort)) {
            socket.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);
            assertThat(reply(in)).startsWith("220");
            assertThat(command(out, in, "EHLO client.example.test")).startsWith("250");
            String plain = Base64.getEncoder().encodeToString(("\0" + publicKey + "\0" + secret)
                    .getBytes(StandardCharsets.UTF_8));
            String answer = command(out, in, "AUTH PLAIN " + plain);
            command(out, in, "QUIT");
            return answer;
        }
    }

    private static void assertProblem(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.code()).as(response.toString()).isEqualTo(code);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    private long keyCount(String account) {
        return jdbc.sql("select count(*) from api_key where account_id = ?").param(UUID.fromString(account))
                .query(Long.class).single();
    }

    private String secretHash(String id) {
        return jdbc.sql("select secret_hash from api_key where id = ?").param(UUID.fromString(id)).query(String.class)
                .single();
    }

    private Instant lastUsedAt(String id) {
        Timestamp at = jdbc.sql("select last_used_at from api_key where id = ?").param(UUID.fromString(id))
                .query(Timestamp.class).single();
        return at == null ? null : at.toInstant();
    }

    private List<String> auditActions(String account) {
        return jdbc.sql("select action from audit_event where account_id = ? order by id").param(UUID.fromString(account))
                .query(String.class).list();
    }

    private Map<String, Object> audit(String account, String action, String keyId) {
        return jdbc.sql("select * from audit_event where account_id = ? and action = ? and target_id = ?")
                .params(UUID.fromString(account), action, keyId).query().singleRow();
    }
}
