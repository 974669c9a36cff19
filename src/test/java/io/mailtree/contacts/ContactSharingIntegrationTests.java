package io.mailtree.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** D-26, D-28: sharing lists and test recipients copies them into sub-accounts. */
class ContactSharingIntegrationTests extends ContactsTestSupport {

    @Test
    @DisplayName("D-28: sharing a list copies it and its subscribed contacts, with properties, into the sub-account")
    void d28ShareCopiesListAndContacts() {
        Master master = master("lite-5000");
        Api api = master.api();
        long list = api.post("/api/v1/lists", "{\"name\":\"VIP\"}").json().get("id").asLong();
        importCsv(api, "email,name,city\nann@example.test,Ann,Paris\nben@example.test,Ben,Lyon\n",
                Map.of("listId", String.valueOf(list)));
        long ben = api.get("/api/v1/contacts?q=ben").json().get("items").get(0).get("id").asLong();
        api.patch("/api/v1/contacts/" + ben, "{\"status\":\"UNSUBSCRIBED\"}");
        JsonNode sub = createSubaccount(api, 1000).json();
        Api subApi = Api.withKey(port, sub.get("apiKey"));

        JsonNode result = api.post("/api/v1/lists/" + list + "/share", "{\"subaccountIds\":[\""
                + sub.get("subaccount").get("id").asString() + "\"]}").json().get("results").get(0);
        assertThat(result.get("status").asString()).isEqualTo("shared");
        long copy = result.get("listId").asLong();
        JsonNode copiedList = subApi.get("/api/v1/lists/" + copy).json();
        assertThat(copiedList.get("name").asString()).isEqualTo("VIP");
        assertThat(copiedList.get("memberCount").asInt()).isEqualTo(1);
        JsonNode ann = subApi.get("/api/v1/lists/" + copy + "/contacts").json().get("items").get(0);
        assertThat(ann.get("email").asString()).isEqualTo("ann@example.test");
        assertThat(ann.get("properties").get("city").asString()).isEqualTo("Paris");

        // D-26: the copy lives on its own: changing it leaves the master's untouched.
        subApi.patch("/api/v1/contacts/" + ann.get("id").asLong(), "{\"name\":\"Ann (shop)\"}");
        assertThat(api.get("/api/v1/contacts?q=ann").json().get("items").get(0).get("name").asString()).isEqualTo("Ann");
        assertThat(api.get("/api/v1/audit").body()).contains("list.shared");
    }

    @Test
    @DisplayName("D-11, D-28: a target short of allowance is refused with the numbers; the others proceed")
    void d28RefusedTargetDoesNotStopOthers() {
        Master master = master("lite-5000");
        Api api = master.api();
        long list = api.post("/api/v1/lists", "{\"name\":\"Everyone\"}").json().get("id").asLong();
        importCsv(api, "email\n" + rows(0, 700, "example.test"), Map.of("listId", String.valueOf(list)));
        String small = createSubaccount(api, 500).json().get("subaccount").get("id").asString();
        String large = createSubaccount(api, 1000).json().get("subaccount").get("id").asString();
        Master other = master("lite-5000");
        String foreign = createSubaccount(other.api(), 500).json().get("subaccount").get("id").asString();

        JsonNode results = api.post("/api/v1/lists/" + list + "/share",
                "{\"subaccountIds\":[\"" + small + "\",\"" + large + "\",\"" + foreign + "\"]}").json().get("results");
        assertThat(results.get(0).get("status").asString()).isEqualTo("refused");
        assertThat(results.get(0).get("code").asString()).isEqualTo("contact_allowance_exceeded");
        assertThat(results.get(0).get("message").asString()).isEqualTo("700 requested, 500 available");
        assertThat(results.get(1).get("status").asString()).isEqualTo("shared");
        assertThat(results.get(2).get("code").asString()).isEqualTo("subaccount_not_found");
        assertThat(ownActiveContacts(api.onBehalfOf(small))).isZero();
        assertThat(api.onBehalfOf(small).get("/api/v1/lists").json().get("total").asInt()).isZero();
        assertThat(ownActiveContacts(api.onBehalfOf(large))).isEqualTo(700);
        assertThat(ownActiveContacts(other.api().onBehalfOf(foreign))).isZero();
    }

    @Test
    @DisplayName("D-26: test recipients are copied to sub-accounts; sharing again copies nothing twice")
    void d26ShareTestRecipients() {
        Master master = master("pro-5000");
        Api api = master.api();
        api.post("/api/v1/test-recipients", "{\"email\":\"qa@example.test\",\"name\":\"QA\"}");
        api.post("/api/v1/test-recipients", "{\"email\":\"boss@example.test\"}");
        String sub = createSubaccount(api, 500).json().get("subaccount").get("id").asString();
        JsonNode first = api.post("/api/v1/test-recipients/share", "{\"subaccountIds\":[\"" + sub + "\"]}").json();
        assertThat(first.get("results").get(0).get("copied").asInt()).isEqualTo(2);
        JsonNode again = api.post("/api/v1/test-recipients/share", "{\"subaccountIds\":[\"" + sub + "\"]}").json();
        assertThat(again.get("results").get(0).get("copied").asInt()).isZero();
        assertThat(api.onBehalfOf(sub).get("/api/v1/test-recipients").json().get("items").size()).isEqualTo(2);
        assertThat(ownActiveContacts(api.onBehalfOf(sub))).as("test recipients are not contacts").isZero();
    }

    @Test
    @DisplayName("D-26: only a master shares; a sub-account's key is refused")
    void d26OnlyMasterShares() {
        Master master = master("pro-5000");
        JsonNode sub = createSubaccount(master.api(), 500).json();
        Api subApi = Api.withKey(port, sub.get("apiKey"));
        long list = subApi.post("/api/v1/lists", "{\"name\":\"Mine\"}").json().get("id").asLong();
        Api.Response refused = subApi.post("/api/v1/lists/" + list + "/share", "{\"subaccountIds\":[\""
                + sub.get("subaccount").get("id").asString() + "\"]}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("masters_only");
    }
}
