package io.mailtree.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.WebSession;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The billing pages over real HTTP sessions: in three languages, for a master and for a sub-account
 * (which uses its master's subscription, D-4), a bad cap told on the page without a change, another
 * tree's sub-account out of reach, and the operator's console page with its top-up.
 */
class BillingPagesIntegrationTests extends BillingTestSupport {

    @Test
    @DisplayName("D-4, D-31: the billing page in English, French and Japanese; a sub-account's shows its master's subscription")
    void billingPageInThreeLanguagesAndForASubaccount() {
        Master master = master("volume-15k");
        String sub = subaccount(master, null);
        WebSession owner = signInAsOwner(master);
        assertThat(owner.get("/account/billing?lang=en").body()).contains("id=\"billing-plan\"")
                .contains("Credits this period").contains("id=\"usage-chart\"").contains("id=\"plan-form\"");
        assertThat(owner.get("/account/billing?lang=fr").body()).contains("Crédits de la période");
        assertThat(owner.get("/account/billing?lang=ja").body()).contains("今期のクレジット");
        owner.get("/account/billing?lang=en");

        WebSession.Page bad = owner.post("/account/billing/caps/" + sub, Map.of("monthlyCap", "many"));
        assertThat(owner.follow(bad).body()).contains("A monthly cap is a whole number");
        assertThat(jdbc.sql("select monthly_cap from billing_account_usage where account_id = ?")
                .param(UUID.fromString(sub)).query(Long.class).optional().orElse(null)).isNull();
        Master other = master("volume-15k");
        String foreign = subaccount(other, null);
        assertThat(owner.post("/account/billing/caps/" + foreign, Map.of("monthlyCap", "5")).status()).isEqualTo(404);
        WebSession.Page downgrade = owner.post("/account/billing/plan", Map.of("plan", "volume-free"));
        assertThat(owner.follow(downgrade).body()).as("volume-free allows no sub-accounts").contains("does not fit");

        // The sub-account's own owner: the master's subscription, its own line only, no plan form.
        String subOwnerPassword = "sub-owner-password-1";
        jdbc.sql("update app_user set password_hash = ? where account_id = ?")
                .params("{noop}" + subOwnerPassword, UUID.fromString(sub)).update();
        String subOwner = jdbc.sql("select email from app_user where account_id = ?").param(UUID.fromString(sub))
                .query(String.class).single();
        WebSession subSession = new WebSession(port);
        subSession.signIn(subOwner, subOwnerPassword);
        String page = subSession.get("/account/billing?lang=en").body();
        assertThat(page).contains("uses the subscription").doesNotContain("id=\"plan-form\"")
                .doesNotContain("id=\"invoices\"");
        assertThat(subSession.post("/account/billing/plan", Map.of("plan", "volume-50k")).status()).isEqualTo(403);
    }

    @Test
    @DisplayName("The operator's billing console: plan prices, a top-up and every master's invoices")
    void operatorConsole() {
        Master master = prepaidMaster(0);
        WebSession operator = new WebSession(port);
        operator.signIn("operator@mailtree.test", "operator-password-123");
        assertThat(operator.get("/platform/billing").body()).contains("id=\"plan-prices\"").contains("id=\"top-up-form\"");
        WebSession.Page topUp = operator.post("/platform/billing/top-ups", Map.of("master", master.id(), "credits", "7"));
        assertThat(operator.follow(topUp).body()).contains("7 credits added");
        assertThat(usage(master.api()).get("credits").get("left").asLong()).isEqualTo(7);
        WebSession.Page bad = operator.post("/platform/billing/top-ups", Map.of("master", master.id(), "credits", "-3"));
        assertThat(operator.follow(bad).body()).contains("A top-up is a whole number");
        assertThat(usage(master.api()).get("credits").get("left").asLong()).isEqualTo(7);
        assertThat(new WebSession(port).get("/platform/billing").status()).isNotEqualTo(200);
    }
}
