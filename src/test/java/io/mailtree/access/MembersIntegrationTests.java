package io.mailtree.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Shared access over real HTTP, real PostgreSQL and a real SMTP server: invitations, members,
 * the account switcher, narrowed rights and their immediate effect (D-21 … D-25, D-32).
 */
class MembersIntegrationTests extends MailtreeTestBase {

    private static final String PASSWORD = "collaborator-password";
    private static final String OWNER_PASSWORD = "master-password-1";

    private Master master;
    private String masterOwner;
    private String subId;
    private String siblingId;
    private JsonNode siblingKey;

    @BeforeEach
    void tree() {
        master = master("pro-5000");
        masterOwner = jdbc.sql("select email from app_user where account_id = ? and role = 'OWNER'")
                .param(UUID.fromString(master.id())).query(String.class).single();
        jdbc.sql("update app_user set password_hash = ? where account_id = ?")
                .params("{noop}" + OWNER_PASSWORD, UUID.fromString(master.id())).update();
        subId = createSubaccount(master.api(), "Shop Lyon", uniqueEmail("shop"), null, 500).json()
                .get("subaccount").get("id").asString();
        JsonNode sibling = createSubaccount(master.api(), "Shop Nice", uniqueEmail("nice"), null, 500).json();
        siblingId = sibling.get("subaccount").get("id").asString();
        siblingKey = sibling.get("apiKey");
    }

    @Test
    @DisplayName("D-21: an invitation by e-mail to a sub-account; the new person sets a name and password and lands there")
    void d21InviteNewPersonToSubaccount() {
        String email = uniqueEmail("designer");
        Api.Response invited = master.api().post("/api/v1/invitations",
                "{\"email\":\"" + email + "\",\"accountId\":\"" + subId + "\",\"preset\":\"DESIGNER\"}");
        assertThat(invited.status()).as(invited.body()).isEqualTo(201);
        assertThat(invited.json().get("permissions").toString()).isEqualTo("[\"CONTENT\"]");
        assertThat(invited.json().get("status").asString()).isEqualTo("OPEN");

        WebSession person = acceptAsNewPerson(email, "Dana Designer");
        assertThat(person.signIn(email, PASSWORD)).endsWith("/home");
        String home = person.get("/home").body();
        assertThat(home).contains("Shop Lyon").doesNotContain("Shop Nice");

        JsonNode members = master.api().get("/api/v1/members?accountId=" + subId).json();
        JsonNode dana = find(members, email);
        assertThat(dana.get("name").asString()).isEqualTo("Dana Designer");
        assertThat(dana.get("invitedBy").asString()).isNotBlank();
        assertThat(dana.get("since").isNull()).isFalse();
        assertThat(dana.get("lastActive").isNull()).as("signed in and opened a page").isFalse();
        assertThat(dana.get("permissions").toString()).isEqualTo("[\"CONTENT\"]");
        assertThat(master.api().get("/api/v1/invitations?accountId=" + subId).json().get(0).get("status").asString())
                .isEqualTo("ACCEPTED");
    }

    @Test
    @DisplayName("D-21: the link is signed, single-use, expires after 7 days; resending or cancelling ends the older link")
    void d21LinkSingleUseExpiringResendCancel() {
        String email = uniqueEmail("marketer");
        String id = invite(master.api(), email, null, "MARKETER").get("id").asString();
        String first = linkIn(awaitMailTo(email, 1), "/invitations/accept");

        Api.Response resent = master.api().post("/api/v1/invitations/" + id + "/resend", null);
        assertThat(resent.status()).isEqualTo(200);
        String second = linkIn(awaitMailTo(email, 2), "/invitations/accept");
        WebSession browser = new WebSession(port);
        assertThat(browser.get(first).body()).contains("not valid any more");
        assertThat(browser.get(second).body()).contains("accept-form");
        // A tampered signature is refused as well.
        assertThat(browser.get(second.substring(0, second.length() - 2) + "xx").body()).contains("not valid any more");

        assertThat(master.api().send("DELETE", "/api/v1/invitations/" + id, null).status()).isEqualTo(204);
        assertThat(browser.get(second).body()).contains("not valid any more");

        String other = uniqueEmail("late");
        invite(master.api(), other, null, "READ_ONLY");
        String link = linkIn(awaitMailTo(other, 1), "/invitations/accept");
        advanceClock(Duration.ofDays(7).plusMinutes(1));
        assertThat(new WebSession(port).get(link).body()).contains("not valid any more");
    }

    @Test
    @DisplayName("D-21: a used link does not work twice")
    void d21UsedLinkRefused() {
        String email = uniqueEmail("once");
        invite(master.api(), email, null, "READ_ONLY");
        String link = linkIn(awaitMailTo(email, 1), "/invitations/accept");
        WebSession person = new WebSession(port);
        String token = link.substring(link.indexOf("token=") + 6);
        person.get(link);
        assertThat(person.post("/invitations/accept", Map.of("token", token, "name", "Ona", "password", PASSWORD))
                .path()).isEqualTo("/login?invitationAccepted");
        WebSession again = new WebSession(port);
        again.get("/login");
        WebSession.Page second = again.post("/invitations/accept",
                Map.of("token", token, "name", "Ona", "password", "another-password-1"));
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body()).contains("not valid any more");
        assertThat(jdbc.sql("select count(*) from membership m join app_user u on u.id = m.user_id where u.email = ?")
                .param(email).query(Long.class).single()).isEqualTo(1L);
    }

    @Test
    @DisplayName("D-22: someone who already signs in accepts into their account list; the switcher lists exactly their accounts")
    void d22ExistingUserAcceptsAndSwitches() {
        Master other = master("pro-5000");
        String otherOwner = jdbc.sql("select email from app_user where account_id = ? and role = 'OWNER'")
                .param(UUID.fromString(other.id())).query(String.class).single();
        jdbc.sql("update app_user set password_hash = ? where account_id = ?")
                .params("{noop}" + OWNER_PASSWORD, UUID.fromString(other.id())).update();
        invite(master.api(), otherOwner, subId, "MARKETER");
        // The first mail to this owner was their set-up link.
        String link = linkIn(awaitMailTo(otherOwner, 2), "/invitations/accept");
        WebSession person = new WebSession(port);
        String page = person.get(link).body();
        assertThat(page).contains("already sign in").doesNotContain("id=\"password\"");
        String token = link.substring(link.indexOf("token=") + 6);
        assertThat(person.post("/invitations/accept", Map.of("token", token)).path()).isEqualTo("/login?invitationAccepted");

        person.signIn(otherOwner, OWNER_PASSWORD);
        String home = person.get("/home").body();
        assertThat(home).contains("account-switcher").contains("Shop Lyon");
        String switcher = home.substring(home.indexOf("account-switcher"), home.indexOf("</details>", home.indexOf("account-switcher")));
        assertThat(switcher).contains(other.id()).contains(subId).doesNotContain(siblingId).doesNotContain(master.id());
        assertThat(countOf(switcher, "choose-account")).isEqualTo(2);

        String before = person.cookie("JSESSIONID");
        WebSession.Page chosen = person.post("/accounts/" + subId + "/choose", Map.of());
        assertThat(chosen.path()).isEqualTo("/home");
        assertThat(person.cookie("JSESSIONID")).as("a switch rotates the session id").isNotEqualTo(before);
        assertThat(person.get("/home").body()).contains("id=\"home-title\">Shop Lyon");
        // A sibling or the master is as unknown as a missing account (D-22).
        assertThat(person.post("/accounts/" + siblingId + "/choose", Map.of()).status()).isEqualTo(404);
        assertThat(person.post("/accounts/" + master.id() + "/choose", Map.of()).status()).isEqualTo(404);
    }

    @Test
    @DisplayName("D-22: access to a sub-account gives nothing of the master or of a sibling, in pages, switches or lists")
    void d22SubaccountAccessGivesNothingElse() {
        WebSession person = collaborator(subId, "ADMINISTRATOR");
        assertThat(person.get("/subaccounts").status()).isEqualTo(403);
        assertThat(person.post("/subaccounts/" + siblingId + "/open", Map.of()).status()).isEqualTo(403);
        WebSession.Page members = person.get("/members");
        assertThat(members.status()).isEqualTo(200);
        assertThat(members.body()).contains("Shop Lyon").doesNotContain("Shop Nice").doesNotContain(masterOwner);
        assertThat(person.get("/members?account=" + siblingId).status()).isEqualTo(404);
        assertThat(person.get("/members?account=" + master.id()).status()).isEqualTo(404);
        WebSession.Page foreign = person.post("/members/invite",
                Map.of("account", siblingId, "email", uniqueEmail("x"), "preset", "DESIGNER"));
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.body()).doesNotContain("Shop Nice");
    }

    @Test
    @DisplayName("D-23: without BILLING and ACCOUNT_SETTINGS the two pages leave the navigation and answer 403 by URL")
    void d23NavigationFollowsPermissions() {
        WebSession person = collaborator(subId, "MARKETER");
        String home = person.get("/home").body();
        assertThat(home).contains("id=\"nav-contacts\"").contains("id=\"nav-emails\"")
                .doesNotContain("id=\"nav-billing\"").doesNotContain("id=\"nav-configuration\"")
                .doesNotContain("id=\"nav-members\"").doesNotContain("id=\"nav-audit\"");
        assertThat(person.get("/account/billing").status()).isEqualTo(403);
        assertThat(person.get("/account/configuration").status()).isEqualTo(403);
        assertThat(person.get("/members").status()).isEqualTo(403);
        assertThat(person.get("/contacts").status()).isEqualTo(200);

        WebSession accountant = collaborator(master.id(), "ACCOUNTANT");
        String accountantHome = accountant.get("/home").body();
        assertThat(accountantHome).contains("id=\"nav-billing\"").doesNotContain("id=\"nav-contacts\"");
        assertThat(accountant.get("/account/billing").status()).isEqualTo(200);
        assertThat(accountant.get("/contacts").status()).isEqualTo(403);
    }

    @Test
    @DisplayName("D-24: changed rights apply on the very next request and rotate the session id; a revocation signs out")
    void d24ChangeAndRevokeTakeEffectAtOnce() {
        String email = uniqueEmail("changing");
        WebSession person = collaborator(subId, email, "MARKETER");
        assertThat(person.get("/contacts").status()).isEqualTo(200);
        assertThat(person.get("/account/billing").status()).isEqualTo(403);
        String userId = find(master.api().get("/api/v1/members?accountId=" + subId).json(), email).get("userId").asString();
        String before = person.cookie("JSESSIONID");

        Api.Response changed = master.api().patch("/api/v1/members/" + userId + "?accountId=" + subId,
                "{\"permissions\":[\"BILLING\"]}");
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(person.get("/contacts").status()).isEqualTo(403);
        assertThat(person.cookie("JSESSIONID")).as("a privilege change rotates the session id").isNotEqualTo(before);
        assertThat(person.get("/account/billing").status()).isEqualTo(200);

        assertThat(master.api().send("DELETE", "/api/v1/members/" + userId + "?accountId=" + subId, null).status())
                .isEqualTo(204);
        WebSession.Page next = person.get("/account/billing");
        assertThat(next.status()).isEqualTo(302);
        assertThat(next.path()).isEqualTo("/login?error=revoked");
        assertThat(person.get("/login?error=revoked").body()).contains("access to this account was withdrawn");
        assertThat(person.get("/home").path()).startsWith("/login");
        // With no grant left, the password alone opens nothing.
        assertThat(new WebSession(port).signIn(email, PASSWORD)).endsWith("/login?error=revoked");
    }

    @Test
    @DisplayName("D-25: a collaborator holding SUBACCOUNTS on the master keeps the switch and the cross-sub-account view")
    void d25SubaccountsHolderKeepsOversight() {
        WebSession overseer = collaborator(master.id(), "ADMINISTRATOR");
        assertThat(overseer.get("/subaccounts/emails").status()).isEqualTo(200);
        assertThat(overseer.post("/subaccounts/" + subId + "/open", Map.of()).path()).isEqualTo("/home");
        assertThat(overseer.get("/home").body()).contains("id=\"home-title\">Shop Lyon").contains("back-to-main");

        WebSession marketer = collaborator(master.id(), "MARKETER");
        assertThat(marketer.get("/subaccounts/emails").status()).isEqualTo(403);
        assertThat(marketer.post("/subaccounts/" + subId + "/open", Map.of()).status()).isEqualTo(403);
    }

    @Test
    @DisplayName("D-23: nobody grants a right they lack; bad input answers a stable code and changes nothing")
    void d23GrantsBoundedAndBadInputRefused() {
        WebSession admin = collaborator(subId, "MARKETER");
        assertThat(admin.get("/members").status()).as("MARKETER has no USERS").isEqualTo(403);

        String email = uniqueEmail("limited-admin");
        WebSession limited = collaborator(subId, email, null, "USERS", "CONTENT");
        limited.get("/members");
        WebSession.Page more = limited.post("/members/invite",
                Map.of("email", uniqueEmail("y"), "permissions", "BILLING"));
        assertThat(more.path()).startsWith("/members");
        assertThat(limited.follow(more).body()).contains("You cannot grant BILLING");

        assertThat(master.api().post("/api/v1/invitations", "{\"email\":\"x@example.test\",\"permissions\":[\"ROOT\"]}")
                .code()).isEqualTo("unknown_permission");
        assertThat(master.api().post("/api/v1/invitations", "{\"email\":\"x@example.test\",\"preset\":\"BOSS\"}")
                .code()).isEqualTo("unknown_preset");
        assertThat(master.api().post("/api/v1/invitations", "{\"email\":\"not-an-address\",\"preset\":\"DESIGNER\"}")
                .code()).isEqualTo("invalid_email");
        assertThat(master.api().post("/api/v1/invitations", "{\"email\":\"" + masterOwner + "\",\"preset\":\"DESIGNER\"}")
                .code()).isEqualTo("already_member");
        String ownerId = find(master.api().get("/api/v1/members").json(), masterOwner).get("userId").asString();
        assertThat(master.api().patch("/api/v1/members/" + ownerId, "{\"permissions\":[\"CONTENT\"]}").code())
                .isEqualTo("owner_rights_fixed");
        assertThat(master.api().patch("/api/v1/members/" + UUID.randomUUID(), "{\"permissions\":[\"CONTENT\"]}").status())
                .isEqualTo(404);
        assertThat(master.api().get("/api/v1/members?accountId=" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(Api.withKey(port, siblingKey)
                .get("/api/v1/members?accountId=" + subId).code()).isEqualTo("account_not_found");
    }

    @Test
    @DisplayName("D-32: invitations, grants, changes and revocations are audited with who did it and on which account")
    void d32MembershipActsAudited() {
        String email = uniqueEmail("audited");
        WebSession admin = collaborator(master.id(), uniqueEmail("admin"), "ADMINISTRATOR");
        admin.get("/members");
        assertThat(admin.post("/members/invite", Map.of("email", email, "account", subId, "preset", "DESIGNER"))
                .path()).startsWith("/members");
        acceptAsNewPerson(email, "Audrey");
        String userId = find(master.api().get("/api/v1/members?accountId=" + subId).json(), email).get("userId").asString();
        master.api().patch("/api/v1/members/" + userId + "?accountId=" + subId, "{\"permissions\":[\"CONTACTS\"]}");
        master.api().send("DELETE", "/api/v1/members/" + userId + "?accountId=" + subId, null);

        var rows = jdbc.sql("""
                select action, actor, actor_kind, cast(account_id as varchar(36)) as account, detail from audit_event
                where root_account_id = ? and action like 'access.%' order by id""")
                .param(UUID.fromString(master.id())).query().listOfRows();
        assertThat(rows).extracting(r -> r.get("action")).containsSubsequence("access.invited", "access.granted",
                "access.changed", "access.revoked");
        var invitedBySomeone = rows.stream().filter(r -> "access.invited".equals(r.get("action"))
                && String.valueOf(r.get("detail")).startsWith(email)).findFirst().orElseThrow();
        assertThat(invitedBySomeone.get("actor")).as("the collaborator who acted").isNotEqualTo(masterOwner);
        assertThat(invitedBySomeone.get("actor_kind")).isEqualTo("USER");
        assertThat(invitedBySomeone.get("account")).as("the account acted on").isEqualTo(subId);
        assertThat(rows.stream().filter(r -> "access.changed".equals(r.get("action"))).findFirst().orElseThrow()
                .get("detail").toString()).contains("CONTENT -> CONTACTS");
    }

    // --- helpers

    private JsonNode invite(Api api, String email, String account, String preset) {
        Api.Response response = api.post("/api/v1/invitations", "{\"email\":\"" + email + "\""
                + (account == null ? "" : ",\"accountId\":\"" + account + "\"") + ",\"preset\":\"" + preset + "\"}");
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    private WebSession acceptAsNewPerson(String email, String name) {
        String link = linkIn(awaitMailTo(email, 1), "/invitations/accept");
        WebSession person = new WebSession(port);
        assertThat(person.get(link).body()).contains("id=\"name\"");
        String token = link.substring(link.indexOf("token=") + 6);
        WebSession.Page accepted = person.post("/invitations/accept",
                Map.of("token", token, "name", name, "password", PASSWORD));
        assertThat(accepted.path()).as(accepted.body()).isEqualTo("/login?invitationAccepted");
        return person;
    }

    private WebSession collaborator(String account, String preset) {
        return collaborator(account, uniqueEmail("collab"), preset);
    }

    private WebSession collaborator(String account, String email, String preset, String... permissions) {
        String body = "{\"email\":\"" + email + "\",\"accountId\":\"" + account + "\""
                + (preset == null ? "" : ",\"preset\":\"" + preset + "\"")
                + (permissions.length == 0 ? "" : ",\"permissions\":[\"" + String.join("\",\"", permissions) + "\"]")
                + "}";
        Api.Response invited = master.api().post("/api/v1/invitations", body);
        assertThat(invited.status()).as(invited.body()).isEqualTo(201);
        WebSession person = acceptAsNewPerson(email, "Person");
        assertThat(person.signIn(email, PASSWORD)).endsWith("/home");
        return person;
    }

    private static JsonNode find(JsonNode members, String email) {
        for (JsonNode member : members) {
            if (member.get("email").asString().equalsIgnoreCase(email)) {
                return member;
            }
        }
        throw new AssertionError("no member " + email + " in " + members);
    }

    private static int countOf(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }
}
