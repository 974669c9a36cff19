package io.mailtree.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Sub-account logins, deactivation, one-click switching and permissions (D-12 … D-15, D-22 … D-24). */
class SubaccountAccessIntegrationTests extends MailtreeTestBase {

    private static final String PASSWORD = "sub-account-password";

    private Master master;
    private String masterOwner;
    private String subId;
    private String subOwner;
    private JsonNode subKey;

    @BeforeEach
    void tree() {
        master = master("pro-5000");
        masterOwner = jdbc.sql("select email from app_user where account_id = ?").param(UUID.fromString(master.id()))
                .query(String.class).single();
        jdbc.sql("update app_user set password_hash = ? where account_id = ?")
                .params("{noop}master-password-1", UUID.fromString(master.id())).update();
        subOwner = uniqueEmail("shop");
        JsonNode created = createSubaccount(master.api(), "Shop Lyon", subOwner, PASSWORD, 500).json();
        subId = created.get("subaccount").get("id").asString();
        subKey = created.get("apiKey");
    }

    @Test
    @DisplayName("D-13: a sub-account has its own login, which lands in the sub-account")
    void d13OwnLogin() {
        WebSession sub = new WebSession(port);
        assertThat(sub.signIn(subOwner, PASSWORD)).endsWith("/home");
        String home = sub.get("/home").body();
        assertThat(home).contains("Shop Lyon").contains("Sub-account");
    }

    @Test
    @DisplayName("D-12: a deactivated sub-account cannot sign in and is told it is deactivated, not 'wrong password'")
    void d12DeactivatedCannotSignIn() {
        master.api().post("/api/v1/subaccounts/" + subId + "/deactivate", null);
        WebSession sub = new WebSession(port);
        String target = sub.signIn(subOwner, PASSWORD);
        assertThat(target).endsWith("/login?error=deactivated");
        assertThat(sub.get("/login?error=deactivated").body()).contains("This account is deactivated");
        assertThat(new WebSession(port).signIn(subOwner, "not-the-password")).endsWith("error=bad");
    }

    @Test
    @DisplayName("D-12: deactivation signs out an open session on its next request and refuses the sub-account's key")
    void d12DeactivationEndsSessionsAndKeys() {
        WebSession sub = new WebSession(port);
        sub.signIn(subOwner, PASSWORD);
        assertThat(sub.get("/home").status()).isEqualTo(200);
        assertThat(Api.withKey(port, subKey).get("/api/v1/account").status()).isEqualTo(200);

        master.api().post("/api/v1/subaccounts/" + subId + "/deactivate", null);
        WebSession.Page next = sub.get("/home");
        assertThat(next.status()).isEqualTo(302);
        assertThat(next.path()).isEqualTo("/login?error=deactivated");
        Api.Response refused = Api.withKey(port, subKey).get("/api/v1/account");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("subaccount_inactive");
        assertThat(master.api().onBehalfOf(subId).get("/api/v1/account").code()).isEqualTo("subaccount_inactive");

        master.api().post("/api/v1/subaccounts/" + subId + "/activate", null);
        assertThat(Api.withKey(port, subKey).get("/api/v1/account").status()).isEqualTo(200);
        assertThat(new WebSession(port).signIn(subOwner, PASSWORD)).endsWith("/home");
    }

    @Test
    @DisplayName("D-14: one click opens the sub-account, 'Back to main' returns home; both are audit-logged")
    void d14OneClickSwitchAndBack() {
        WebSession web = new WebSession(port);
        assertThat(web.signIn(masterOwner, "master-password-1")).endsWith("/home");
        String list = web.get("/subaccounts").body();
        assertThat(list).contains("/subaccounts/" + subId + "/open").contains("Shop Lyon");

        WebSession.Page opened = web.post("/subaccounts/" + subId + "/open", Map.of());
        assertThat(opened.path()).isEqualTo("/home");
        String inSub = web.get("/home").body();
        assertThat(inSub).contains("Shop Lyon").contains("Back to main").contains("id=\"back-to-main\"");
        assertThat(web.get("/subaccounts").status()).isEqualTo(403);

        WebSession.Page back = web.post("/back-to-main", Map.of());
        assertThat(back.path()).isEqualTo("/home");
        String home = web.get("/home").body();
        assertThat(home).doesNotContain("id=\"back-to-main\"").contains("Master account");

        var actions = jdbc.sql("select action || ':' || context from audit_event where account_id = ? order by id")
                .param(UUID.fromString(subId)).query(String.class).list();
        assertThat(actions).contains("subaccount.entered:DIRECT", "subaccount.left:SWITCHED");
    }

    @Test
    @DisplayName("D-14: someone signed in with the sub-account's own login sees no way to the master")
    void d14OwnLoginHasNoWayToMaster() {
        WebSession sub = new WebSession(port);
        sub.signIn(subOwner, PASSWORD);
        String home = sub.get("/home").body();
        assertThat(home).doesNotContain("back-to-main").doesNotContain("Back to main").doesNotContain("nav-subaccounts");
        assertThat(sub.get("/subaccounts").status()).isEqualTo(403);
        sub.get("/home");
        assertThat(sub.post("/back-to-main", Map.of()).path()).isEqualTo("/home");
        assertThat(sub.get("/home").body()).contains("Shop Lyon").doesNotContain(masterName());
        sub.get("/home");
        assertThat(sub.post("/subaccounts/" + master.id() + "/open", Map.of()).status()).isEqualTo(403);
        assertThat(sub.get("/home").body()).contains("Shop Lyon");
    }

    @Test
    @DisplayName("D-14: a master cannot open another master's sub-account")
    void d14CannotOpenForeignSubaccount() {
        Master other = master("pro-5000");
        String foreign = createSubaccount(other.api(), 500).json().get("subaccount").get("id").asString();
        WebSession web = new WebSession(port);
        web.signIn(masterOwner, "master-password-1");
        web.get("/home");
        assertThat(web.post("/subaccounts/" + foreign + "/open", Map.of()).status()).isEqualTo(404);
        assertThat(web.get("/home").body()).doesNotContain("back-to-main");
    }

    @Test
    @DisplayName("D-15: a sub-account's own users cannot deactivate it; only the master can")
    void d15SubaccountCannotDeactivateItself() {
        Api.Response refused = Api.withKey(port, subKey).post("/api/v1/subaccounts/" + subId + "/deactivate", null);
        assertThat(refused.status()).isEqualTo(403);
        WebSession sub = new WebSession(port);
        sub.signIn(subOwner, PASSWORD);
        sub.get("/home");
        assertThat(sub.post("/subaccounts/" + subId + "/deactivate", Map.of()).status()).isEqualTo(403);
        assertThat(master.api().get("/api/v1/subaccounts/" + subId).json().get("status").asString()).isEqualTo("ACTIVE");
    }

    @Test
    @DisplayName("A forged or missing CSRF token is refused and changes nothing")
    void forgedCsrfRefused() {
        WebSession web = new WebSession(port);
        web.signIn(masterOwner, "master-password-1");
        web.get("/home");
        assertThat(web.postRaw("/subaccounts/" + subId + "/deactivate", Map.of("_csrf", "forged")).status())
                .isEqualTo(403);
        assertThat(web.postRaw("/subaccounts/" + subId + "/deactivate", Map.of()).status()).isEqualTo(403);
        assertThat(master.api().get("/api/v1/subaccounts/" + subId).json().get("status").asString()).isEqualTo("ACTIVE");
    }

    @Test
    @DisplayName("D-23, D-24: a missing permission hides the page and answers 403; a change applies on the next request")
    void d23PermissionsAndD24ImmediateChange() {
        String collaborator = uniqueEmail("collab");
        UUID userId = UUID.randomUUID();
        jdbc.sql("""
                insert into app_user (id, account_id, email, email_key, password_hash, role, permissions,
                    email_verified_at, created_at)
                values (?, ?, ?, ?, '{noop}collaborator-pass', 'COLLABORATOR', '', now(), now())""")
                .params(userId, UUID.fromString(master.id()), collaborator, collaborator.toLowerCase()).update();
        // A collaborator's rights are their grant on the account (membership), read on every request.
        jdbc.sql("""
                insert into membership (account_id, user_id, permissions, invited_by, created_at, changed_at)
                values (?, ?, 'CONTACTS', 'test', now(), now())""").params(UUID.fromString(master.id()), userId).update();
        WebSession web = new WebSession(port);
        assertThat(web.signIn(collaborator, "collaborator-pass")).endsWith("/home");
        String home = web.get("/home").body();
        assertThat(home).doesNotContain("nav-subaccounts").doesNotContain("nav-audit");
        assertThat(web.get("/subaccounts").status()).isEqualTo(403);
        assertThat(web.get("/audit").status()).isEqualTo(403);
        assertThat(web.get("/subaccounts/new").status()).isEqualTo(403);

        jdbc.sql("update membership set permissions = 'CONTACTS,SUBACCOUNTS' where user_id = ?").param(userId).update();
        assertThat(web.get("/subaccounts").status()).isEqualTo(200);
        assertThat(web.get("/home").body()).contains("nav-subaccounts");

        jdbc.sql("update membership set permissions = '' where user_id = ?").param(userId).update();
        assertThat(web.get("/subaccounts").status()).isEqualTo(403);
    }

    private String masterName() {
        return jdbc.sql("select name from account where id = ?").param(UUID.fromString(master.id()))
                .query(String.class).single();
    }
}
