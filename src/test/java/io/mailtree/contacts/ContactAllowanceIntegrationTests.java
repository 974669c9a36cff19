package io.mailtree.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Contacts within the allowance: D-6, D-7, D-11, and D-9's counting in each account. */
class ContactAllowanceIntegrationTests extends ContactsTestSupport {

    @Test
    @DisplayName("D-7: subscribed contacts count as active; unsubscribing, deleting and resubscribing move the counter")
    void d7ActiveContactsCounter() {
        Master master = master("lite-1000");
        Api api = master.api();
        JsonNode alice = api.post("/api/v1/contacts", "{\"email\":\"alice@example.test\",\"name\":\"Alice\"}").json();
        api.post("/api/v1/contacts", "{\"email\":\"bob@example.test\"}");
        api.post("/api/v1/contacts", "{\"email\":\"carol@example.test\",\"status\":\"UNSUBSCRIBED\"}");
        assertThat(ownActiveContacts(api)).isEqualTo(2);

        long id = alice.get("id").asLong();
        api.patch("/api/v1/contacts/" + id, "{\"status\":\"BOUNCED\"}");
        assertThat(ownActiveContacts(api)).isEqualTo(1);
        api.patch("/api/v1/contacts/" + id, "{\"status\":\"SUBSCRIBED\"}");
        assertThat(ownActiveContacts(api)).isEqualTo(2);
        assertThat(api.send("DELETE", "/api/v1/contacts/" + id, null).status()).isEqualTo(204);
        assertThat(ownActiveContacts(api)).isEqualTo(1);
        assertThat(allowance(api).get("available").asInt()).isEqualTo(999);
    }

    @Test
    @DisplayName("D-6: a sub-account registers at most its allocation of active contacts")
    void d6SubaccountLimitedByAllocation() {
        Master master = master("lite-1000");
        JsonNode sub = createSubaccount(master.api(), 500).json();
        Api subApi = Api.withKey(port, sub.get("apiKey"));
        JsonNode job = importCsv(subApi, "email,name\n" + rows(0, 500, "sub.example.test"), Map.of());
        assertThat(job.get("status").asString()).isEqualTo("DONE");
        Api.Response over = subApi.post("/api/v1/contacts", "{\"email\":\"one-more@example.test\"}");
        assertThat(over.status()).isEqualTo(409);
        assertThat(over.code()).isEqualTo("contact_allowance_exceeded");
        assertThat(over.json().get("detail").asString()).isEqualTo("1 requested, 0 available.");
        assertThat(subApi.post("/api/v1/contacts", "{\"email\":\"later@example.test\",\"status\":\"UNSUBSCRIBED\"}")
                .status()).as("an unsubscribed contact takes nothing").isEqualTo(201);
        assertThat(allowance(master.api()).get("available").asInt()).as("the master's figures are untouched")
                .isEqualTo(500);
    }

    @Test
    @DisplayName("D-11: an import that would exceed the allowance is refused whole and leaves the database unchanged")
    void d11ImportOverAllowanceChangesNothing() {
        Master master = master("lite-1000");
        Api api = master.api();
        long list = api.post("/api/v1/lists", "{\"name\":\"Big\"}").json().get("id").asLong();
        importCsv(api, "email\n" + rows(0, 900, "example.test"), Map.of());
        int propertiesBefore = api.get("/api/v1/contact-properties").json().get("items").size();

        JsonNode refused = importCsv(api, "email,name,shoe_size\n" + rows(0, 950, "example.test").replace("\n", ",42\n")
                + rows(10_000, 200, "other.example.test").replace("\n", ",43\n"), Map.of("listId", String.valueOf(list)));
        assertThat(refused.get("status").asString()).isEqualTo("REFUSED");
        assertThat(refused.get("code").asString()).isEqualTo("contact_allowance_exceeded");
        assertThat(refused.get("message").asString()).contains("250").contains("100");
        assertThat(contactRows(master.id())).isEqualTo(900);
        assertThat(ownActiveContacts(api)).isEqualTo(900);
        assertThat(api.get("/api/v1/lists/" + list).json().get("memberCount").asInt()).isZero();
        assertThat(api.get("/api/v1/contact-properties").json().get("items").size()).isEqualTo(propertiesBefore);
        assertThat(api.get("/api/v1/contacts?property=shoe_size:42&limit=1").json().get("items").size()).isZero();
    }

    @Test
    @DisplayName("D-11: adding addresses to a list creates all missing contacts or none")
    void d11AddEmailsAllOrNothing() {
        Master master = master("lite-1000");
        Api api = master.api();
        importCsv(api, "email\n" + rows(0, 998, "example.test"), Map.of());
        long list = api.post("/api/v1/lists", "{\"name\":\"Mixed\"}").json().get("id").asLong();
        Api.Response refused = api.post("/api/v1/lists/" + list + "/contacts",
                "{\"emails\":[\"person1@example.test\",\"new1@example.test\",\"new2@example.test\",\"new3@example.test\"]}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("detail").asString()).isEqualTo("3 requested, 2 available.");
        assertThat(contactRows(master.id())).isEqualTo(998);
        assertThat(api.get("/api/v1/lists/" + list).json().get("memberCount").asInt()).isZero();

        JsonNode added = api.post("/api/v1/lists/" + list + "/contacts",
                "{\"emails\":[\"person1@example.test\",\"new1@example.test\",\"new1@EXAMPLE.TEST\"]}").json();
        assertThat(added.get("added").asInt()).isEqualTo(2);
        assertThat(added.get("contactsCreated").asInt()).isEqualTo(1);
        assertThat(ownActiveContacts(api)).isEqualTo(999);
    }

    @Test
    @DisplayName("D-9: a 150-contact list shared with 2 sub-accounts counts 150 + 150 + 150 = 450")
    void d9SharedListCountsInEachAccount() {
        Master master = master("lite-5000");
        Api api = master.api();
        long list = api.post("/api/v1/lists", "{\"name\":\"Customers\"}").json().get("id").asLong();
        importCsv(api, "email,name\n" + rows(0, 150, "shop.example.test"), Map.of("listId", String.valueOf(list)));
        JsonNode a = createSubaccount(api, 500).json();
        JsonNode b = createSubaccount(api, 500).json();
        JsonNode results = api.post("/api/v1/lists/" + list + "/share", "{\"subaccountIds\":[\""
                + a.get("subaccount").get("id").asString() + "\",\"" + b.get("subaccount").get("id").asString() + "\"]}")
                .json().get("results");
        assertThat(results.get(0).get("status").asString()).isEqualTo("shared");
        assertThat(results.get(1).get("status").asString()).isEqualTo("shared");

        int masterCount = ownActiveContacts(api);
        int aCount = ownActiveContacts(Api.withKey(port, a.get("apiKey")));
        int bCount = ownActiveContacts(Api.withKey(port, b.get("apiKey")));
        assertThat(masterCount).isEqualTo(150);
        assertThat(aCount).isEqualTo(150);
        assertThat(bCount).isEqualTo(150);
        assertThat(masterCount + aCount + bCount).isEqualTo(450);
    }
}
