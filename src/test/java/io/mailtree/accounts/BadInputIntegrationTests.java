package io.mailtree.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Bad input gets a clear 4xx problem with a stable code and changes nothing. */
class BadInputIntegrationTests extends MailtreeTestBase {

    private Master master;

    @BeforeEach
    void freshMaster() {
        master = master("pro-5000");
    }

    @Test
    @DisplayName("Empty, blank, over-long and control-character names are refused")
    void badNames() {
        assertRefused(createSubaccount(master.api(), "", uniqueEmail("a"), null, 500), 400, "invalid_name");
        assertRefused(createSubaccount(master.api(), "   ", uniqueEmail("a"), null, 500), 400, "invalid_name");
        assertRefused(createSubaccount(master.api(), "x".repeat(101), uniqueEmail("a"), null, 500), 400, "invalid_name");
        assertRefused(createSubaccount(master.api(), "bad\\u0007name", uniqueEmail("a"), null, 500), 400, "invalid_name");
        assertThat(createSubaccount(master.api(), "y".repeat(100), uniqueEmail("a"), null, 500).status()).isEqualTo(201);
        assertNothingElseCreated(1);
    }

    @Test
    @DisplayName("An allocation that is not a tier, or negative, is refused")
    void badAllocations() {
        assertRefused(createSubaccount(master.api(), 750), 400, "allocation_not_a_tier");
        assertRefused(createSubaccount(master.api(), -500), 400, "allocation_not_a_tier");
        assertRefused(createSubaccount(master.api(), 0), 400, "allocation_not_a_tier");
        assertNothingElseCreated(0);
    }

    @Test
    @DisplayName("A login e-mail already taken, or malformed, is refused before anything is written")
    void badOrTakenLogin() {
        String email = uniqueEmail("taken");
        assertThat(createSubaccount(master.api(), "First", email, null, 500).status()).isEqualTo(201);
        assertRefused(createSubaccount(master.api(), "Second", email, null, 500), 409, "login_email_taken");
        assertRefused(createSubaccount(master.api(), "Third", email.toUpperCase(), null, 500), 409, "login_email_taken");
        assertRefused(createSubaccount(master.api(), "Fourth", "not-an-address", null, 500), 400, "invalid_email");
        assertRefused(createSubaccount(master.api(), "Fifth", "a@b@c.test", null, 500), 400, "invalid_email");
        assertRefused(createSubaccount(master.api(), "Sixth", uniqueEmail("p"), "short", 500), 400, "invalid_password");
        assertNothingElseCreated(1);
        assertThat(allowance(master.api()).get("allocatedToSubaccounts").asInt()).isEqualTo(500);
    }

    @Test
    @DisplayName("Malformed JSON, unknown fields, wrong types and a missing body are refused")
    void malformedRequests() {
        assertRefused(master.api().post("/api/v1/subaccounts", "{\"name\":"), 400, "malformed_json");
        assertRefused(master.api().post("/api/v1/subaccounts", "{\"name\":\"A\",\"ownerEmail\":\"" + uniqueEmail("u")
                + "\",\"contactAllocation\":500,\"isAdmin\":true}"), 400, "unknown_field");
        assertRefused(master.api().post("/api/v1/subaccounts", "{\"name\":\"A\",\"contactAllocation\":\"lots\"}"), 400,
                "malformed_json");
        assertRefused(master.api().post("/api/v1/subaccounts", null), 400, "malformed_json");
        assertRefused(master.api().post("/api/v1/subaccounts", "[1,2,3]"), 400, "malformed_json");
        assertRefused(master.api().get("/api/v1/subaccounts?page=-1"), 400, "invalid_page");
        assertRefused(master.api().get("/api/v1/subaccounts?size=100000"), 400, "invalid_page_size");
        assertRefused(master.api().get("/api/v1/subaccounts?page=abc"), 400, "invalid_parameter");
        assertNothingElseCreated(0);
    }

    @Test
    @DisplayName("An unknown path or method answers a problem with a code, never a 500")
    void unknownPathsAndMethods() {
        assertRefused(master.api().get("/api/v1/no-such-thing"), 404, "not_found");
        assertRefused(master.api().send("DELETE", "/api/v1/account", null), 405, "method_not_allowed");
        assertRefused(master.api().get("/api/v1/subaccounts/" + UUID.randomUUID()), 404, "subaccount_not_found");
        assertRefused(master.api().get("/api/v1/subaccounts/%27%20or%201=1"), 404, "subaccount_not_found");
    }

    @Test
    @DisplayName("A huge body is refused without a server error")
    void hugeBody() {
        String name = "z".repeat(5_000_000);
        Api.Response response = createSubaccount(master.api(), name, uniqueEmail("h"), null, 500);
        assertRefused(response, 413, "payload_too_large");
        assertNothingElseCreated(0);
    }

    private void assertRefused(Api.Response response, int status, String code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.code()).as(response.toString()).isEqualTo(code);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    private void assertNothingElseCreated(int expected) {
        JsonNode list = master.api().get("/api/v1/subaccounts").json();
        assertThat(list.get("total").asInt()).isEqualTo(expected);
        Long owners = jdbc.sql("select count(*) from app_user u join account a on a.id = u.account_id where a.parent_id = ?")
                .param(UUID.fromString(master.id())).query(Long.class).single();
        assertThat(owners).isEqualTo(expected);
    }
}
