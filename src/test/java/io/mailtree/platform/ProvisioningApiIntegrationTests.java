package io.mailtree.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The operator's provisioning API and console. */
class ProvisioningApiIntegrationTests extends MailtreeTestBase {

    @Test
    @DisplayName("A provisioned master gets its key and its owner an e-mail to set a password")
    void provisionedOwnerSetsPasswordByMail() {
        String owner = uniqueEmail("provisioned");
        Api.Response created = operator().post("/api/platform/v1/masters",
                "{\"name\":\"Hosted Co\",\"ownerEmail\":\"" + owner + "\",\"plan\":\"pro-2500\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode master = created.json().get("master");
        assertThat(master.get("plan").asString()).isEqualTo("pro-2500");
        assertThat(master.get("subaccountsEnabled").asBoolean()).isTrue();
        assertThat(master.get("contactLimit").asInt()).isEqualTo(2500);

        String link = linkIn(awaitMailTo(owner, 1), "/reset-password");
        WebSession web = new WebSession(port);
        web.get(link);
        String token = link.substring(link.indexOf("token=") + 6);
        assertThat(web.post("/reset-password", Map.of("token", token, "password", "hosted-password-1")).path())
                .isEqualTo("/login?passwordChanged");
        assertThat(new WebSession(port).signIn(owner, "hosted-password-1")).endsWith("/home");
    }

    @Test
    @DisplayName("Without the operator token, or with a wrong one, the provisioning API answers 401")
    void tokenRequired() {
        Api.Response none = Api.anonymous(port).get("/api/platform/v1/masters");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.code()).isEqualTo("invalid_operator_token");
        assertThat(Api.operator(port, "wrong-token").get("/api/platform/v1/masters").status()).isEqualTo(401);
        Master master = master("pro-1000");
        assertThat(master.api().get("/api/platform/v1/masters").status()).as("an account key is no operator token")
                .isEqualTo(401);
    }

    @Test
    @DisplayName("Lists, reads and patches masters; bad input is refused and changes nothing")
    void listReadPatch() {
        Master master = master("lite-1000");
        JsonNode page = operator().get("/api/platform/v1/masters?size=200").json();
        assertThat(page.get("total").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(operator().get("/api/platform/v1/masters/" + master.id()).json().get("plan").asString())
                .isEqualTo("lite-1000");

        assertThat(operator().patch("/api/platform/v1/masters/" + master.id(), "{\"plan\":\"no-such-plan\"}").code())
                .isEqualTo("unknown_plan");
        assertThat(operator().patch("/api/platform/v1/masters/" + master.id(), "{\"enterpriseContactLimit\":-5}").code())
                .isEqualTo("invalid_contact_limit");
        assertThat(operator().patch("/api/platform/v1/masters/" + master.id(), "{\"colour\":\"blue\"}").code())
                .isEqualTo("unknown_field");
        assertThat(operator().get("/api/platform/v1/masters/" + master.id()).json().get("plan").asString())
                .isEqualTo("lite-1000");

        JsonNode enterprise = operator().patch("/api/platform/v1/masters/" + master.id(),
                "{\"plan\":\"enterprise\",\"enterpriseContactLimit\":250000}").json();
        assertThat(enterprise.get("contactLimit").asInt()).isEqualTo(250000);
        assertThat(allowance(master.api()).get("limit").asInt()).isEqualTo(250000);

        assertThat(operator().get("/api/platform/v1/masters/00000000-0000-0000-0000-000000000000").status())
                .isEqualTo(404);
        String sub = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();
        assertThat(operator().get("/api/platform/v1/masters/" + sub).code()).isEqualTo("master_not_found");
    }

    @Test
    @DisplayName("Provisioning refuses unknown plans, taken e-mails and bad names without creating anything")
    void provisioningBadInput() {
        String owner = uniqueEmail("bad-provision");
        assertThat(operator().post("/api/platform/v1/masters", "{\"name\":\"X\",\"ownerEmail\":\"" + owner
                + "\",\"plan\":\"gold\"}").code()).isEqualTo("unknown_plan");
        assertThat(operator().post("/api/platform/v1/masters", "{\"name\":\"\",\"ownerEmail\":\"" + owner
                + "\",\"plan\":\"free\"}").code()).isEqualTo("invalid_name");
        assertThat(jdbc.sql("select count(*) from app_user where email_key = ?").param(owner.toLowerCase())
                .query(Long.class).single()).isZero();
        operator().post("/api/platform/v1/masters", "{\"name\":\"Y\",\"ownerEmail\":\"" + owner + "\",\"plan\":\"free\"}");
        assertThat(operator().post("/api/platform/v1/masters", "{\"name\":\"Z\",\"ownerEmail\":\"" + owner
                + "\",\"plan\":\"free\"}").code()).isEqualTo("login_email_taken");
    }

    @Test
    @DisplayName("The OpenAPI document describes the account, sub-account and provisioning paths")
    void openApiDocument() {
        Api.Response docs = Api.anonymous(port).get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        JsonNode paths = docs.json().get("paths");
        assertThat(paths.has("/api/v1/account")).isTrue();
        assertThat(paths.has("/api/v1/subaccounts")).isTrue();
        assertThat(paths.has("/api/v1/subaccounts/{id}/deactivate")).isTrue();
        assertThat(paths.has("/api/platform/v1/masters")).isTrue();
        assertThat(docs.json().get("components").get("schemas").get("NewSubaccount").get("properties")
                .has("contactAllocation")).isTrue();
    }
}
