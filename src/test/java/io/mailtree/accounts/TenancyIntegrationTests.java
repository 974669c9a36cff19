package io.mailtree.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Every request is scoped by the caller's account: another master's ids are simply not there. */
class TenancyIntegrationTests extends MailtreeTestBase {

    @Test
    @DisplayName("Another master's sub-account answers 404 on every endpoint and is left unchanged")
    void anotherMastersSubaccountIsNotFound() {
        Master owner = master("pro-5000");
        Master intruder = master("pro-5000");
        String sub = createSubaccount(owner.api(), 500).json().get("subaccount").get("id").asString();

        assertThat(intruder.api().get("/api/v1/subaccounts/" + sub).status()).isEqualTo(404);
        assertThat(intruder.api().get("/api/v1/subaccounts/" + sub).code()).isEqualTo("subaccount_not_found");
        assertThat(intruder.api().patch("/api/v1/subaccounts/" + sub, "{\"name\":\"Stolen\"}").status()).isEqualTo(404);
        assertThat(intruder.api().post("/api/v1/subaccounts/" + sub + "/deactivate", null).status()).isEqualTo(404);
        assertThat(intruder.api().post("/api/v1/subaccounts/" + sub + "/activate", null).status()).isEqualTo(404);
        assertThat(intruder.api().get("/api/v1/subaccounts").json().get("total").asInt()).isZero();

        JsonNode untouched = owner.api().get("/api/v1/subaccounts/" + sub).json();
        assertThat(untouched.get("name").asString()).startsWith("Sub ");
        assertThat(untouched.get("status").asString()).isEqualTo("ACTIVE");
    }

    @Test
    @DisplayName("On-behalf-of another master's sub-account, or a made-up id, answers 404")
    void onBehalfOfAnotherMastersSubaccountIsNotFound() {
        Master owner = master("pro-5000");
        Master intruder = master("pro-5000");
        String sub = createSubaccount(owner.api(), 500).json().get("subaccount").get("id").asString();

        Api.Response foreign = intruder.api().onBehalfOf(sub).get("/api/v1/account");
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.code()).isEqualTo("subaccount_not_found");
        assertThat(intruder.api().onBehalfOf("not-a-uuid").get("/api/v1/account").status()).isEqualTo(404);
        assertThat(intruder.api().onBehalfOf(owner.id()).get("/api/v1/account").status()).isEqualTo(404);
    }

    @Test
    @DisplayName("A master's key acts on its own sub-account with the on-behalf-of header")
    void onBehalfOfOwnSubaccount() {
        Master owner = master("pro-5000");
        String sub = createSubaccount(owner.api(), 1000).json().get("subaccount").get("id").asString();
        JsonNode account = owner.api().onBehalfOf(sub).get("/api/v1/account").json();
        assertThat(account.get("id").asString()).isEqualTo(sub);
        assertThat(account.get("kind").asString()).isEqualTo("SUB");
        assertThat(account.get("allowance").get("limit").asInt()).isEqualTo(1000);
    }

    @Test
    @DisplayName("A sub-account's key cannot use the on-behalf-of header, not even on a sibling")
    void subaccountKeyCannotActOnBehalf() {
        Master owner = master("pro-5000");
        JsonNode first = createSubaccount(owner.api(), 500).json();
        String sibling = createSubaccount(owner.api(), 500).json().get("subaccount").get("id").asString();
        Api firstKey = Api.withKey(port, first.get("apiKey"));

        Api.Response refused = firstKey.onBehalfOf(sibling).get("/api/v1/account");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("on_behalf_of_not_allowed");
        assertThat(firstKey.onBehalfOf(owner.id()).get("/api/v1/account").status()).isEqualTo(403);
    }

    @Test
    @DisplayName("D-22: a sub-account's key sees neither its master's nor its siblings' data")
    void subaccountSeesNoMasterOrSibling() {
        Master owner = master("pro-5000");
        JsonNode first = createSubaccount(owner.api(), 500).json();
        String sibling = createSubaccount(owner.api(), 500).json().get("subaccount").get("id").asString();
        Api firstKey = Api.withKey(port, first.get("apiKey"));
        assertThat(firstKey.get("/api/v1/subaccounts/" + sibling).status()).isEqualTo(403);
        assertThat(firstKey.get("/api/v1/account").json().get("id").asString())
                .isEqualTo(first.get("subaccount").get("id").asString());
    }
}
