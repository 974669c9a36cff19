package io.mailtree.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The sub-account pages: list with search and paging, the create and edit forms and their messages. */
class SubaccountPagesIntegrationTests extends MailtreeTestBase {

    private Master master;
    private WebSession web;

    @BeforeEach
    void signedInMaster() {
        master = master("lite-2500");
        String owner = jdbc.sql("select email from app_user where account_id = ?").param(UUID.fromString(master.id()))
                .query(String.class).single();
        jdbc.sql("update app_user set password_hash = '{noop}pages-password-1' where account_id = ?")
                .param(UUID.fromString(master.id())).update();
        web = new WebSession(port);
        web.signIn(owner, "pages-password-1");
    }

    @Test
    @DisplayName("D-8: the create form shows what is available and refuses an allocation over it with the numbers")
    void createFormShowsAvailableAndRefusesOver() {
        String form = web.get("/subaccounts/new").body();
        assertThat(form).contains("2,500 contacts available");
        WebSession.Page refused = web.post("/subaccounts/new", Map.of("name", "Too big", "ownerEmail",
                uniqueEmail("big"), "contactAllocation", "5000"));
        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.body()).contains("5,000 requested, 2,500 available.");
        assertThat(refused.body()).contains("value=\"Too big\"");

        WebSession.Page created = web.post("/subaccounts/new", Map.of("name", "Right size", "ownerEmail",
                uniqueEmail("ok"), "contactAllocation", "2500"));
        assertThat(created.path()).isEqualTo("/subaccounts");
        String list = web.get("/subaccounts").body();
        assertThat(list).contains("Right size").contains("mt_sk_");
        assertThat(list).as("the secret has a copy button").contains("id=\"copy-created-secret\"")
                .containsPattern("id=\"created-secret\" value=\"mt_sk_[A-Za-z0-9_-]+\"");
        assertThat(web.get("/subaccounts").body()).as("the secret is shown once").doesNotContain("mt_sk_");
    }

    @Test
    @DisplayName("The edit form renames and changes the allocation, with errors shown in the form")
    void editForm() {
        String sub = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();
        assertThat(web.get("/subaccounts/" + sub + "/edit").body()).contains("Current allocation: 500");
        WebSession.Page tooBig = web.post("/subaccounts/" + sub + "/edit", Map.of("name", "Renamed",
                "contactAllocation", "5000"));
        assertThat(tooBig.body()).contains("4,500 requested, 2,000 available.");
        WebSession.Page saved = web.post("/subaccounts/" + sub + "/edit", Map.of("name", "Renamed",
                "contactAllocation", "1000"));
        assertThat(saved.path()).isEqualTo("/subaccounts");
        assertThat(web.get("/subaccounts").body()).contains("Sub-account Renamed saved.");
        assertThat(master.api().get("/api/v1/subaccounts/" + sub).json().get("contactAllocation").asInt()).isEqualTo(1000);
    }

    @Test
    @DisplayName("The list pages by 50 and searches by name; another master's sub-account page answers 404")
    void listPagingSearchAndTenancy() {
        operator().patch("/api/platform/v1/masters/" + master.id(), "{\"plan\":\"enterprise\",\"enterpriseContactLimit\":100000}");
        for (int i = 0; i < 55; i++) {
            createSubaccount(master.api(), "Branch " + String.format("%02d", i), uniqueEmail("b"), null, 500);
        }
        String first = web.get("/subaccounts").body();
        assertThat(first).contains("Branch 00").contains("Branch 49").doesNotContain("Branch 50").contains("Page 1 of 2");
        assertThat(web.get("/subaccounts?page=1").body()).contains("Branch 54").doesNotContain("Branch 00");
        assertThat(web.get("/subaccounts?q=branch%205").body()).contains("Branch 50").doesNotContain("Branch 49");

        Master other = master("pro-5000");
        String foreign = createSubaccount(other.api(), 500).json().get("subaccount").get("id").asString();
        assertThat(web.get("/subaccounts/" + foreign + "/edit").status()).isEqualTo(404);
        web.get("/subaccounts");
        assertThat(web.post("/subaccounts/" + foreign + "/deactivate", Map.of()).status()).isEqualTo(404);
        assertThat(other.api().get("/api/v1/subaccounts/" + foreign).json().get("status").asString()).isEqualTo("ACTIVE");
    }

    @Test
    @org.junit.jupiter.api.DisplayName("D-3: on a plan without sub-accounts the page explains it in an empty state, with no error box")
    void d3FreePlanShowsAnExplanationNotAnError() {
        io.mailtree.support.WebSession free = signInAsOwner(master("free"));
        String page = free.get("/subaccounts?lang=en").body();
        assertThat(page).contains("id=\"not-eligible\"").contains("Nothing is wrong with your account.")
                .doesNotContain("class=\"problem\"").doesNotContain("No sub-accounts yet.");
        assertThat(free.get("/subaccounts?lang=fr").body()).contains("Votre compte n’a aucun problème.");
        assertThat(free.get("/subaccounts?lang=ja").body()).contains("アカウントに問題はありません。");
    }

    @Test
    @org.junit.jupiter.api.DisplayName("The sub-account count reads 1 sub-account, 2 sub-accounts, in English, French and Japanese")
    void subaccountCountHasTheRightPlural() {
        Master master = master("pro-5000");
        io.mailtree.support.WebSession owner = signInAsOwner(master);
        assertThat(owner.get("/subaccounts?lang=en").body()).contains(">0 sub-accounts<");
        createSubaccount(master.api(), 500);
        assertThat(owner.get("/subaccounts?lang=en").body()).contains(">1 sub-account<");
        assertThat(owner.get("/subaccounts?lang=fr").body()).contains(">1 sous-compte<");
        assertThat(owner.get("/subaccounts?lang=ja").body()).contains(">1 件のサブアカウント<");
        createSubaccount(master.api(), 500);
        assertThat(owner.get("/subaccounts?lang=en").body()).contains(">2 sub-accounts<");
        assertThat(owner.get("/subaccounts?lang=fr").body()).contains(">2 sous-comptes<");
    }

    @Test
    @org.junit.jupiter.api.DisplayName("D-10: right after a deactivation the allocation column shows 0, and what returns to the master when")
    void d10AllocationColumnAfterDeactivation() {
        Master master = master("pro-5000");
        io.mailtree.support.WebSession owner = signInAsOwner(master);
        String quiet = createSubaccount(master.api(), "Never sent " + System.nanoTime(), uniqueEmail("quiet"), null, 500)
                .json().get("subaccount").get("id").asString();
        String sender = createSubaccount(master.api(), "Sent recently " + System.nanoTime(), uniqueEmail("sent"), null, 1000)
                .json().get("subaccount").get("id").asString();
        jdbc.sql("update account set last_send_at = ? where id = ?")
                .params(io.mailtree.shared.Times.sql(clock().instant().minus(java.time.Duration.ofDays(2))),
                        java.util.UUID.fromString(sender)).update();
        master.api().post("/api/v1/subaccounts/" + quiet + "/deactivate", null);
        master.api().post("/api/v1/subaccounts/" + sender + "/deactivate", null);

        String page = owner.get("/subaccounts?lang=en").body();
        assertThat(page).contains("0 (returned to the main account)")
                .containsPattern("0 \\(1,000 return to the main account on [A-Z][a-z]{2} \\d{1,2}, \\d{4}\\)")
                .doesNotContain("class=\"allocation\">500<").doesNotContain("class=\"allocation\">1,000<");
        assertThat(owner.get("/subaccounts?lang=fr").body()).containsPattern("0 \\(1\\D?000 reviennent au compte principal le ");
    }
}
