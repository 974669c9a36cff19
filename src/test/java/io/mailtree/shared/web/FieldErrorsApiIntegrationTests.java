package io.mailtree.shared.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The API refuses a request with every wrong field in one problem-details answer, over real HTTP and
 * PostgreSQL: the first refusal's stable {@code code} and {@code field} stay where clients read them,
 * and {@code errors} lists all of them as {@code {field, code, detail}}; nothing is written.
 */
class FieldErrorsApiIntegrationTests extends MailtreeTestBase {

    @Test
    @DisplayName("contacts: a bad address, an unknown status and a mistyped property in one answer; nothing is created")
    void contactFields() {
        Master master = master("pro-5000");
        assertThat(master.api().post("/api/v1/contact-properties",
                "{\"key\":\"age\",\"label\":\"Age\",\"type\":\"NUMBER\"}").status()).isEqualTo(201);
        Api.Response refused = master.api().post("/api/v1/contacts",
                "{\"email\":\"broken\",\"status\":\"MAYBE\",\"properties\":{\"age\":\"old\"}}");
        assertErrors(refused, 400, "invalid_email", Map.of("email", "invalid_email", "status", "invalid_status",
                "properties.age", "invalid_property_value"));
        assertThat(count("contact", master)).isZero();

        long id = master.api().post("/api/v1/contacts", "{\"email\":\"ann@example.test\",\"name\":\"Ann\"}").json()
                .get("id").asLong();
        Api.Response patch = master.api().patch("/api/v1/contacts/" + id,
                "{\"name\":\"" + "x".repeat(300) + "\",\"status\":\"MAYBE\",\"properties\":{\"age\":\"old\"}}");
        assertErrors(patch, 400, "invalid_name", Map.of("name", "invalid_name", "status", "invalid_status",
                "properties.age", "invalid_property_value"));
        assertThat(master.api().get("/api/v1/contacts/" + id).json().get("name").asString()).isEqualTo("Ann");
    }

    @Test
    @DisplayName("templates: a blank name, a subject with a line break and an HTML syntax error together, on create and on change")
    void templateFields() {
        Master master = master("pro-5000");
        // The text part given, so that it is not generated from the broken HTML (it would have the same error).
        String body = "{\"name\":\" \",\"subject\":\"Hello\\nthere\",\"html\":\"<p>{{#if x}}</p>\",\"text\":\"Hi\"}";
        Api.Response refused = master.api().post("/api/v1/templates", body);
        assertErrors(refused, 400, "invalid_name", Map.of("name", "invalid_name", "subject", "invalid_header",
                "html", "template_syntax_error"));
        assertThat(count("template", master)).isZero();
        assertErrors(master.api().post("/api/v1/templates", "{\"name\":\"\",\"layout\":\"no-such-layout\"}"), 400,
                "invalid_name", Map.of("name", "invalid_name", "layout", "unknown_layout"));

        long id = master.api().post("/api/v1/templates", "{\"name\":\"Welcome\",\"html\":\"<p>Hi</p>\"}").json()
                .get("id").asLong();
        assertErrors(master.api().patch("/api/v1/templates/" + id, body), 400, "invalid_name",
                Map.of("name", "invalid_name", "subject", "invalid_header", "html", "template_syntax_error"));
        assertThat(master.api().get("/api/v1/templates/" + id).json().get("name").asString()).isEqualTo("Welcome");
    }

    @Test
    @DisplayName("e-mails: name, sender address, reply-to, sender name and an A/B share out of range together; nothing written")
    void emailFields() {
        Master master = master("pro-5000");
        String body = """
                {"name":"","type":"AB_TEST","fromEmail":"nobody","replyTo":"nowhere","fromName":"A\\nB",
                 "abTest":{"variants":[{"subject":"One"},{"subject":"Two"}],"testPercent":90,"winnerRule":"OPENS",
                           "waitHours":4}}""";
        assertErrors(master.api().post("/api/v1/emails", body), 400, "invalid_name",
                Map.of("name", "invalid_name", "fromEmail", "invalid_email", "replyTo", "invalid_email",
                        "fromName", "invalid_header", "abTest.testPercent", "invalid_ab_test"));
        assertThat(count("email", master)).isZero();

        long id = master.api().post("/api/v1/emails", "{\"name\":\"Launch\"}").json().get("id").asLong();
        assertErrors(master.api().patch("/api/v1/emails/" + id, body), 400, "invalid_name",
                Map.of("name", "invalid_name", "fromEmail", "invalid_email", "replyTo", "invalid_email",
                        "fromName", "invalid_header", "abTest.testPercent", "invalid_ab_test"));
        JsonNode kept = master.api().get("/api/v1/emails/" + id).json();
        assertThat(kept.get("name").asString()).isEqualTo("Launch");
        assertThat(kept.get("type").asString()).as("the type is not changed either").isEqualTo("REGULAR");
    }

    @Test
    @DisplayName("webhooks, keys, invitations, senders and domains: every wrong field in one answer, in the request's language")
    void otherFields() {
        Master master = master("pro-5000");
        Api.Response hook = master.api().post("/api/v1/webhooks",
                "{\"url\":\"ftp://hooks.example/x\",\"eventTypes\":[],\"description\":\"" + "d".repeat(201) + "\"}");
        assertErrors(hook, 400, "webhook_url_scheme", Map.of("url", "webhook_url_scheme",
                "eventTypes", "webhook_event_types_empty", "description", "webhook_description_too_long"));
        assertThat(count("webhook_endpoint", master)).isZero();

        long keysBefore = count("api_key", master);
        assertErrors(master.api().post("/api/v1/keys", "{\"name\":\"\",\"label\":\"LOUD\"}"), 400,
                "key_name_required", Map.of("name", "key_name_required", "label", "unknown_key_label"));
        assertThat(count("api_key", master)).isEqualTo(keysBefore);
        // Another account's id stays a plain "not found", whatever else is wrong.
        Api.Response foreign = master.api().post("/api/v1/keys", "{\"name\":\"\",\"account\":\""
                + master("pro-5000").id() + "\"}");
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.json().has("errors")).isFalse();

        assertErrors(master.api().post("/api/v1/invitations",
                "{\"email\":\"not-mail\",\"permissions\":[\"CONTACTS\",\"FLYING\"]}"), 400, "invalid_email",
                Map.of("email", "invalid_email", "permissions", "unknown_permission"));
        assertErrors(master.api().post("/api/v1/invitations", "{\"email\":\"x\",\"preset\":\"WIZARD\"}"), 400,
                "invalid_email", Map.of("email", "invalid_email", "preset", "unknown_preset"));
        assertThat(count("invitation", master)).isZero();

        assertErrors(master.api().post("/api/v1/senders", "{\"email\":\"nope\",\"name\":\"a\\nb\"}"), 400,
                "invalid_email", Map.of("email", "invalid_email", "name", "invalid_header"));
        Api.Response domain = master.api().post("/api/v1/domains", "{\"domain\":\"not a domain\"}");
        assertErrors(domain, 400, "invalid_domain", Map.of("domain", "invalid_domain"));

        Api.Response french = master.api().sendWithHeader("POST", "/api/v1/keys", "{\"name\":\"\",\"label\":\"LOUD\"}",
                "Accept-Language", "fr");
        assertThat(french.json().get("errors").get(0).get("detail").asString()).isEqualTo("Une clé doit avoir un nom.");
    }

    @Test
    @DisplayName("sub-accounts: a blank name, a bad owner address and a short password in one answer; nothing is created")
    void subaccountFields() {
        Master master = master("pro-5000");
        assertErrors(createSubaccount(master.api(), " ", "nobody", "short", 500), 400, "invalid_name",
                Map.of("name", "invalid_name", "ownerEmail", "invalid_email", "password", "invalid_password"));
        String taken = ownerOf(master, "owner-password-1");
        assertErrors(createSubaccount(master.api(), "", taken, null, 500), 400, "invalid_name",
                Map.of("name", "invalid_name", "ownerEmail", "login_email_taken"));
        assertThat(jdbc.sql("select count(*) from account where parent_id = ?").param(UUID.fromString(master.id()))
                .query(Long.class).single()).isZero();
    }

    /** The answer keeps the first {@code code} and lists exactly {@code fields} (field to code), in order. */
    private static void assertErrors(Api.Response response, int status, String code, Map<String, String> fields) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).contains("application/problem+json");
        JsonNode json = response.json();
        assertThat(json.get("code").asString()).isEqualTo(code);
        Map<String, String> listed = new LinkedHashMap<>();
        List<String> details = new ArrayList<>();
        for (JsonNode error : json.get("errors")) {
            listed.put(error.get("field").asString(), error.get("code").asString());
            details.add(error.get("detail").asString());
        }
        assertThat(listed).as(response.toString()).containsExactlyInAnyOrderEntriesOf(fields);
        assertThat(listed.keySet().iterator().next()).as("the first error is the problem's own field")
                .isEqualTo(json.get("field").asString());
        assertThat(details).allSatisfy(detail -> assertThat(detail).isNotBlank().doesNotStartWith("problem."));
    }

    private long count(String table, Master master) {
        return jdbc.sql("select count(*) from " + table + " where account_id = ?").param(UUID.fromString(master.id()))
                .query(Long.class).single();
    }
}
