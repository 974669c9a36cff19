package io.mailtree.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** D-32: administrative acts are written to an audit log the master sees. */
class AuditIntegrationTests extends MailtreeTestBase {

    @Test
    @DisplayName("D-32: create, edit, deactivate, reactivate and key creation are logged with actor and context")
    void d32ActsAreLogged() {
        Master master = master("pro-5000");
        JsonNode created = createSubaccount(master.api(), 500).json();
        String sub = created.get("subaccount").get("id").asString();
        master.api().patch("/api/v1/subaccounts/" + sub, "{\"name\":\"Renamed\"}");
        master.api().post("/api/v1/subaccounts/" + sub + "/deactivate", null);
        master.api().post("/api/v1/subaccounts/" + sub + "/activate", null);
        operator().patch("/api/platform/v1/masters/" + master.id(), "{\"plan\":\"pro-10000\"}");

        JsonNode log = master.api().get("/api/v1/audit?size=50").json();
        List<String> actions = new ArrayList<>();
        log.get("items").forEach(e -> actions.add(e.get("action").asString() + ":" + e.get("context").asString()));
        assertThat(actions).contains("master.provisioned:OPERATOR", "subaccount.created:DIRECT", "key.created:DIRECT",
                "subaccount.edited:DIRECT", "subaccount.deactivated:DIRECT", "subaccount.activated:DIRECT",
                "master.settings_changed:OPERATOR");
        JsonNode newest = log.get("items").get(0);
        assertThat(newest.get("action").asString()).isEqualTo("master.settings_changed");
        JsonNode edited = findAction(log, "subaccount.edited");
        assertThat(edited.get("actor").asString()).startsWith("mt_pk_");
        assertThat(edited.get("detail").asString()).contains("name=Renamed");
        assertThat(edited.get("remoteAddress").asString()).isEqualTo("127.0.0.1");
    }

    @Test
    @DisplayName("D-32: a master's log covers its sub-accounts; a sub-account and another master see none of it")
    void d32LogScoping() {
        Master master = master("pro-5000");
        Master other = master("pro-5000");
        createSubaccount(other.api(), 500);
        JsonNode created = createSubaccount(master.api(), 500).json();
        String sub = created.get("subaccount").get("id").asString();
        Api subKey = Api.withKey(port, created.get("apiKey"));

        List<String> masterAccounts = new ArrayList<>();
        master.api().get("/api/v1/audit").json().get("items").forEach(e -> masterAccounts.add(e.get("accountId").asString()));
        assertThat(masterAccounts).contains(master.id(), sub);

        List<String> subAccounts = new ArrayList<>();
        subKey.get("/api/v1/audit").json().get("items").forEach(e -> subAccounts.add(e.get("accountId").asString()));
        assertThat(subAccounts).containsOnly(sub).isNotEmpty();

        List<String> otherAccounts = new ArrayList<>();
        other.api().get("/api/v1/audit").json().get("items").forEach(e -> otherAccounts.add(e.get("accountId").asString()));
        assertThat(otherAccounts).doesNotContain(master.id(), sub);
    }

    private static JsonNode findAction(JsonNode log, String action) {
        for (JsonNode entry : log.get("items")) {
            if (entry.get("action").asString().equals(action)) {
                return entry;
            }
        }
        throw new AssertionError("no " + action);
    }

    @Test
    @DisplayName("D-32: the audit page writes actions and contexts as sentences in English, French and Japanese, and the loopback address readably")
    void d32AuditPageReadsAsSentences() {
        Master master = master("pro-5000");
        createSubaccount(master.api(), 500);
        io.mailtree.support.WebSession owner = signInAsOwner(master);

        String english = owner.get("/audit?lang=en").body();
        assertThat(english).contains("data-action=\"subaccount.created\"").contains(">Created a sub-account<")
                .contains(">Provisioned the master account<").contains(">in the account itself<")
                .contains(">by the operator<").contains("this machine (127.0.0.1)")
                .doesNotContain(">subaccount.created<").doesNotContain("<code>subaccount.created</code>");
        assertThat(owner.get("/audit?lang=fr").body()).contains(">A créé un sous-compte<")
                .contains(">dans le compte lui-même<").contains("cette machine (127.0.0.1)");
        assertThat(owner.get("/audit?lang=ja").body()).contains(">サブアカウントを作成しました<")
                .contains("このマシン（127.0.0.1）");
    }

    @Test
    @DisplayName("D-32: the audit page filters by action, actor and period, and exports what it shows as CSV, only the viewer's tree")
    void d32AuditFiltersAndCsvExport() {
        Master master = master("pro-5000");
        String sub = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();
        master.api().post("/api/v1/subaccounts/" + sub + "/deactivate", null);
        io.mailtree.support.WebSession owner = signInAsOwner(master);

        String deactivations = owner.get("/audit?lang=en&action=subaccount.deactivated").body();
        assertThat(rows(deactivations)).isEqualTo(1);
        assertThat(deactivations).contains("data-action=\"subaccount.deactivated\"")
                .doesNotContain("data-action=\"subaccount.created\"");
        String byOperator = owner.get("/audit?lang=en&actor=OPERATOR-tok").body();
        assertThat(byOperator).contains("data-action=\"master.provisioned\"")
                .doesNotContain("data-action=\"subaccount.created\"");
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        assertThat(rows(owner.get("/audit?lang=en&from=" + today + "&to=" + today).body())).isGreaterThanOrEqualTo(4);
        String future = owner.get("/audit?lang=en&from=2999-01-01").body();
        assertThat(future).contains("id=\"audit-empty\"").contains("Nothing in the log matches these filters.");
        assertThat(owner.get("/audit?lang=en&from=not-a-date").status()).isEqualTo(200);

        io.mailtree.support.WebSession.Page csv = owner.get("/audit/export.csv?lang=en&action=subaccount.deactivated");
        assertThat(csv.status()).isEqualTo(200);
        List<String> lines = csv.body().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"When\",\"Who\"");
        assertThat(lines.get(1)).contains("\"Deactivated a sub-account\",\"subaccount.deactivated\"")
                .contains("\"in the account itself\"").contains("this machine (127.0.0.1)");
        assertThat(owner.get("/audit/export.csv?lang=fr").body()).contains("\"A créé un sous-compte\"");

        // Another master's export holds none of this master's entries.
        io.mailtree.support.WebSession stranger = signInAsOwner(master("pro-5000"));
        assertThat(stranger.get("/audit/export.csv?lang=en").body()).doesNotContain(sub)
                .doesNotContain("subaccount.deactivated");
    }

    private static int rows(String page) {
        return page.split("<tr data-action=", -1).length - 1;
    }
}
