package io.mailtree.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Contacts, properties, lists, suppressions and export over the API; tenancy negatives. */
class ContactsApiIntegrationTests extends ContactsTestSupport {

    @Test
    @DisplayName("Addresses are unique per account, compared case-insensitively on the domain")
    void uniqueAddress() {
        Api api = master("lite-1000").api();
        assertThat(api.post("/api/v1/contacts", "{\"email\":\"Jo@Example.TEST\"}").status()).isEqualTo(201);
        Api.Response again = api.post("/api/v1/contacts", "{\"email\":\"Jo@example.test\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.code()).isEqualTo("contact_exists");
        assertThat(api.post("/api/v1/contacts", "{\"email\":\"jo@example.test\"}").status())
                .as("the local part is compared as written").isEqualTo(201);
        assertThat(api.post("/api/v1/contacts", "{\"email\":\"x@xn--bcher-kva.de\"}").status()).isEqualTo(201);
        assertThat(api.post("/api/v1/contacts", "{\"email\":\"x@bücher.de\"}").code()).isEqualTo("contact_exists");
        assertThat(ownActiveContacts(api)).isEqualTo(3);
    }

    @Test
    @DisplayName("Typed properties: values are checked against the property's type")
    void typedProperties() {
        Api api = master("lite-1000").api();
        api.post("/api/v1/contact-properties", "{\"key\":\"age\",\"type\":\"NUMBER\"}");
        api.post("/api/v1/contact-properties", "{\"key\":\"birthday\",\"type\":\"DATE\"}");
        api.post("/api/v1/contact-properties", "{\"key\":\"vip\",\"type\":\"BOOLEAN\"}");
        assertThat(api.post("/api/v1/contact-properties", "{\"key\":\"Bad Key\"}").code()).isEqualTo("invalid_property_key");
        assertThat(api.post("/api/v1/contact-properties", "{\"key\":\"age\"}").code()).isEqualTo("property_exists");

        JsonNode ok = api.post("/api/v1/contacts",
                "{\"email\":\"t@example.test\",\"properties\":{\"age\":\"42\",\"birthday\":\"1984-02-29\",\"vip\":\"yes\"}}").json();
        assertThat(ok.get("properties").get("age").asInt()).isEqualTo(42);
        assertThat(ok.get("properties").get("vip").asBoolean()).isTrue();
        assertThat(api.post("/api/v1/contacts", "{\"email\":\"u@example.test\",\"properties\":{\"age\":\"old\"}}").code())
                .isEqualTo("invalid_property_value");
        assertThat(api.post("/api/v1/contacts", "{\"email\":\"u@example.test\",\"properties\":{\"birthday\":\"1984-02-30\"}}")
                .code()).isEqualTo("invalid_property_value");
        assertThat(api.post("/api/v1/contacts", "{\"email\":\"u@example.test\",\"properties\":{\"colour\":\"red\"}}").code())
                .isEqualTo("unknown_property");
        assertThat(api.get("/api/v1/contacts?property=age:42").json().get("items").size()).isEqualTo(1);
        assertThat(ownActiveContacts(api)).isEqualTo(1);
    }

    @Test
    @DisplayName("Keyset paging walks every contact once, with a stable cursor")
    void keysetPaging() {
        Api api = master("lite-5000").api();
        importCsv(api, "email\n" + rows(0, 1234, "example.test"), Map.of());
        Set<Long> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = api.get("/api/v1/contacts?limit=100" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.get("items").forEach(c -> assertThat(seen.add(c.get("id").asLong())).isTrue());
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
            pages++;
        } while (cursor != null);
        assertThat(seen).hasSize(1234);
        assertThat(pages).isEqualTo(13);
        assertThat(api.get("/api/v1/contacts?cursor=garbage!").code()).isEqualTo("invalid_cursor");
        assertThat(api.get("/api/v1/contacts?limit=100000").code()).isEqualTo("invalid_limit");
    }

    @Test
    @DisplayName("CSV export neutralises spreadsheet formulas")
    void exportIsFormulaSafe() {
        Api api = master("lite-1000").api();
        api.post("/api/v1/contacts", "{\"email\":\"evil@example.test\",\"name\":\"=HYPERLINK(\\\"http://x\\\")\"}");
        api.post("/api/v1/contacts", "{\"email\":\"plus@example.test\",\"name\":\"+1 555\"}");
        String csv = api.get("/api/v1/contacts/export").body();
        assertThat(csv).startsWith("email,name,status");
        assertThat(csv).contains("\"'=HYPERLINK(\"\"http://x\"\")\"").contains("\"'+1 555\"");
        assertThat(csv).doesNotContain(",\"=HYPERLINK");
    }

    @Test
    @DisplayName("Lists: members by id or address, counts kept current, removal keeps the contact")
    void listsAndMembers() {
        Api api = master("lite-1000").api();
        long list = api.post("/api/v1/lists", "{\"name\":\"Team\"}").json().get("id").asLong();
        long contact = api.post("/api/v1/contacts", "{\"email\":\"m@example.test\"}").json().get("id").asLong();
        assertThat(api.post("/api/v1/lists/" + list + "/contacts", "{\"contactIds\":[" + contact + "]}").json()
                .get("added").asInt()).isEqualTo(1);
        assertThat(api.post("/api/v1/lists/" + list + "/contacts", "{\"contactIds\":[" + contact + "]}").json()
                .get("alreadyMembers").asInt()).isEqualTo(1);
        assertThat(api.get("/api/v1/lists/" + list).json().get("memberCount").asInt()).isEqualTo(1);
        assertThat(api.post("/api/v1/lists/" + list + "/contacts/remove", "{\"contactIds\":[" + contact + "]}").json()
                .get("removed").asInt()).isEqualTo(1);
        assertThat(api.get("/api/v1/lists/" + list).json().get("memberCount").asInt()).isZero();
        assertThat(api.get("/api/v1/contacts/" + contact).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/lists/" + list + "/contacts", "{\"emails\":[\"bad\"]}").code()).isEqualTo("invalid_email");
        assertThat(api.post("/api/v1/lists", "{\"name\":\"\"}").code()).isEqualTo("invalid_name");
    }

    @Test
    @DisplayName("Suppressions: add, list, remove; idempotent add")
    void suppressions() {
        Api api = master("lite-1000").api();
        assertThat(api.post("/api/v1/suppressions", "{\"email\":\"no@example.test\"}").json().get("reason").asString())
                .isEqualTo("MANUAL");
        api.post("/api/v1/suppressions", "{\"email\":\"no@EXAMPLE.test\",\"reason\":\"COMPLAINT\"}");
        JsonNode list = api.get("/api/v1/suppressions").json();
        assertThat(list.get("items").size()).isEqualTo(1);
        assertThat(api.post("/api/v1/suppressions", "{\"email\":\"x@example.test\",\"reason\":\"WHIM\"}").code())
                .isEqualTo("invalid_reason");
        assertThat(api.send("DELETE", "/api/v1/suppressions/no@example.test", null).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/suppressions").json().get("items").size()).isZero();
    }

    @Test
    @DisplayName("Another account's contacts, lists, imports and test recipients answer 404")
    void tenancy() {
        Api owner = master("lite-1000").api();
        Api intruder = master("lite-1000").api();
        long list = owner.post("/api/v1/lists", "{\"name\":\"Private\"}").json().get("id").asLong();
        long contact = owner.post("/api/v1/contacts", "{\"email\":\"private@example.test\"}").json().get("id").asLong();
        long recipient = owner.post("/api/v1/test-recipients", "{\"email\":\"qa@example.test\"}").json().get("id").asLong();
        String importId = importCsv(owner, "email\nimp@example.test\n", Map.of()).get("id").asString();

        assertThat(intruder.get("/api/v1/lists/" + list).code()).isEqualTo("list_not_found");
        assertThat(intruder.get("/api/v1/lists/" + list + "/contacts").status()).isEqualTo(404);
        assertThat(intruder.get("/api/v1/lists/" + list + "/export").status()).isEqualTo(404);
        assertThat(intruder.post("/api/v1/lists/" + list + "/contacts", "{\"emails\":[\"x@example.test\"]}").status())
                .isEqualTo(404);
        assertThat(intruder.get("/api/v1/contacts/" + contact).code()).isEqualTo("contact_not_found");
        assertThat(intruder.patch("/api/v1/contacts/" + contact, "{\"name\":\"Hacked\"}").status()).isEqualTo(404);
        assertThat(intruder.send("DELETE", "/api/v1/contacts/" + contact, null).status()).isEqualTo(404);
        assertThat(intruder.send("DELETE", "/api/v1/test-recipients/" + recipient, null).status()).isEqualTo(404);
        assertThat(intruder.get("/api/v1/imports/" + importId).code()).isEqualTo("import_not_found");
        assertThat(intruder.get("/api/v1/imports/" + importId + "/errors").status()).isEqualTo(404);
        long intruderList = intruder.post("/api/v1/lists", "{\"name\":\"Mine\"}").json().get("id").asLong();
        assertThat(intruder.post("/api/v1/lists/" + intruderList + "/contacts", "{\"contactIds\":[" + contact + "]}")
                .code()).isEqualTo("contact_not_found");
        assertThat(intruder.postMultipart("/api/v1/imports", Map.of("listId", String.valueOf(list)), "a.csv",
                "email\na@example.test\n".getBytes()).status()).isEqualTo(404);
        assertThat(intruder.get("/api/v1/contacts").json().get("items").size()).isZero();
        assertThat(owner.get("/api/v1/contacts/" + contact).json().get("name").isNull()).isTrue();
        assertThat(intruder.get("/api/v1/contacts/abc").status()).isEqualTo(404);
    }
}
