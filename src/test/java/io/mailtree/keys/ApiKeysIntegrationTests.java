package io.mailtree.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.Secrets;
import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** D-16: every account gets its own key; secrets are shown once and stored only as a hash. */
class ApiKeysIntegrationTests extends MailtreeTestBase {

    @Test
    @DisplayName("D-16: a new master gets a primary key that authenticates the API")
    void d16MasterGetsPrimaryKey() {
        Api.Response created = operator().post("/api/platform/v1/masters",
                "{\"name\":\"Keyed\",\"ownerEmail\":\"" + uniqueEmail("keyed") + "\",\"plan\":\"pro-1000\"}");
        JsonNode key = created.json().get("apiKey");
        assertThat(key.get("publicKey").asString()).startsWith("mt_pk_");
        assertThat(key.get("secret").asString()).startsWith("mt_sk_").hasSize(46);
        String masterId = created.json().get("master").get("id").asString();
        assertThat(Api.withKey(port, key).get("/api/v1/account").json().get("id").asString()).isEqualTo(masterId);
        assertThat(jdbc.sql("select is_primary from api_key where account_id = ?").param(UUID.fromString(masterId))
                .query(Boolean.class).list()).containsExactly(true);
    }

    @Test
    @DisplayName("D-16: a new sub-account gets its own secondary key, distinct from the master's")
    void d16SubaccountGetsItsOwnKey() {
        Master master = master("pro-5000");
        JsonNode created = createSubaccount(master.api(), 500).json();
        JsonNode key = created.get("apiKey");
        Api subKey = Api.withKey(port, key);
        assertThat(subKey.get("/api/v1/account").json().get("id").asString())
                .isEqualTo(created.get("subaccount").get("id").asString());
        assertThat(key.get("name").asString()).isEqualTo("Secondary key");
        List<String> masterKeys = jdbc.sql("select public_key from api_key where account_id = ?")
                .param(UUID.fromString(master.id())).query(String.class).list();
        assertThat(masterKeys).doesNotContain(key.get("publicKey").asString());
    }

    @Test
    @DisplayName("D-16: the secret is stored only as its SHA-256 hash and is never answered again")
    void d16SecretStoredOnlyAsHash() {
        Master master = master("pro-5000");
        JsonNode created = createSubaccount(master.api(), 500).json();
        String publicKey = created.get("apiKey").get("publicKey").asString();
        String secret = created.get("apiKey").get("secret").asString();
        String stored = jdbc.sql("select secret_hash from api_key where public_key = ?").param(publicKey)
                .query(String.class).single();
        assertThat(stored).isEqualTo(Secrets.sha256Hex(secret)).doesNotContain(secret);
        Long columnsHoldingSecret = jdbc.sql("""
                select count(*) from api_key where public_key = ? and (secret_hash = ? or secret_hint = ? or name = ?)""")
                .params(publicKey, secret, secret, secret).query(Long.class).single();
        assertThat(columnsHoldingSecret).isZero();
        String sub = created.get("subaccount").get("id").asString();
        assertThat(master.api().get("/api/v1/subaccounts/" + sub).body()).doesNotContain(secret);
    }

    @Test
    @DisplayName("A wrong secret, an unknown key or no credentials answer 401 with a problem code")
    void wrongCredentialsAreRefused() {
        Master master = master("pro-5000");
        JsonNode created = createSubaccount(master.api(), 500).json();
        String publicKey = created.get("apiKey").get("publicKey").asString();
        assertThat(Api.withKey(port, publicKey, "mt_sk_wrong").get("/api/v1/account").status()).isEqualTo(401);
        assertThat(Api.withKey(port, "mt_pk_unknown", "mt_sk_x").get("/api/v1/account").code())
                .isEqualTo("invalid_credentials");
        Api.Response anonymous = Api.anonymous(port).get("/api/v1/account");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.contentType()).startsWith("application/problem+json");
    }
}
