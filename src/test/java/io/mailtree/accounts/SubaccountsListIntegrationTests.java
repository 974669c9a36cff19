package io.mailtree.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The sub-accounts list over real HTTP and PostgreSQL: usage per sub-account (contacts used of the
 * allocation, e-mails this month, last send, owner), sorting, search, bulk deactivate and activate
 * with a result per sub-account, audited, and the pending-release date of D-10.
 */
class SubaccountsListIntegrationTests extends MailtreeTestBase {

    private Master master;
    private WebSession owner;
    private final Map<String, String> ids = new LinkedHashMap<>();
    private final Map<String, String> owners = new LinkedHashMap<>();

    @BeforeEach
    void tree() {
        master = master("pro-10000");
        for (String name : List.of("Bravo shop", "Alpha shop", "Charlie shop")) {
            String email = uniqueEmail(name.substring(0, 5).toLowerCase());
            ids.put(name, createSubaccount(master.api(), name, email, null, 500).json().get("subaccount").get("id")
                    .asString());
            owners.put(name, email);
        }
        setOwnActiveContacts(ids.get("Alpha shop"), 120);
        setOwnActiveContacts(ids.get("Bravo shop"), 480);
        setOwnActiveContacts(ids.get("Charlie shop"), 7);
        Instant now = Instant.now();
        lastSend("Charlie shop", now.minus(2, ChronoUnit.DAYS));
        lastSend("Alpha shop", now.minus(20, ChronoUnit.DAYS));
        accepted("Bravo shop", 42);
        owner = signInAsOwner(master);
    }

    @Test
    @DisplayName("each row shows contacts used of the allocation, e-mails this month, last send and owner")
    void rowsShowUsage() {
        String page = owner.get("/subaccounts?lang=en").body();
        String bravo = row(page, "Bravo shop");
        assertThat(cell(bravo, "contacts-used")).isEqualTo("480 / 500");
        assertThat(cell(bravo, "sent-this-month")).isEqualTo("42");
        assertThat(cell(bravo, "last-send")).isEqualTo("—");
        assertThat(cell(bravo, "owner")).isEqualTo(owners.get("Bravo shop"));
        assertThat(cell(row(page, "Charlie shop"), "sent-this-month")).isEqualTo("0");
        assertThat(cell(row(page, "Charlie shop"), "last-send")).isNotEqualTo("—");
        assertThat(owner.get("/subaccounts?lang=fr").body()).contains("480 / 500");
    }

    @Test
    @DisplayName("sorting by name, contacts and last send in both directions; search narrows by name")
    void sortAndSearch() {
        assertThat(order("/subaccounts")).containsExactly("Alpha shop", "Bravo shop", "Charlie shop");
        assertThat(order("/subaccounts?sort=name&dir=desc")).containsExactly("Charlie shop", "Bravo shop", "Alpha shop");
        assertThat(order("/subaccounts?sort=contacts&dir=desc")).containsExactly("Bravo shop", "Alpha shop", "Charlie shop");
        assertThat(order("/subaccounts?sort=contacts")).containsExactly("Charlie shop", "Alpha shop", "Bravo shop");
        assertThat(order("/subaccounts?sort=last_send&dir=desc")).as("never sent comes last")
                .containsExactly("Charlie shop", "Alpha shop", "Bravo shop");
        assertThat(order("/subaccounts?sort=nonsense")).as("an unknown sort is the name order")
                .containsExactly("Alpha shop", "Bravo shop", "Charlie shop");
        assertThat(order("/subaccounts?q=RAV")).containsExactly("Bravo shop");
        assertThat(order("/subaccounts?q=shop&sort=contacts&dir=desc")).containsExactly("Bravo shop", "Alpha shop",
                "Charlie shop");
        String page = owner.get("/subaccounts?sort=contacts&dir=desc").body();
        assertThat(page).containsPattern("<th[^>]*aria-sort=\"descending\"[^>]*>\\s*<a[^>]*sort=contacts");
    }

    @Test
    @DisplayName("D-10, D-32: bulk deactivate and activate report a result per sub-account, are audited, and show the pending-release date")
    void d10d32BulkDeactivateAndActivate() {
        String other = createSubaccount(master("pro-5000").api(), 500).json().get("subaccount").get("id").asString();
        owner.get("/subaccounts");
        WebSession.Page done = owner.postRaw("/subaccounts/bulk", form("deactivate",
                ids.get("Alpha shop"), ids.get("Charlie shop"), other));
        assertThat(done.status()).isEqualTo(302);
        String page = owner.get(done.path() + (done.path().contains("?") ? "&" : "?") + "lang=en").body();
        assertThat(page).contains("id=\"bulk-results\"");
        assertThat(resultOf(page, "Alpha shop")).contains("Deactivated");
        assertThat(resultOf(page, "Charlie shop")).contains("Deactivated");
        assertThat(page).as("another master's sub-account is not named").doesNotContain(other);
        assertThat(page).contains("1 sub-account could not be found");
        assertThat(status("Alpha shop")).isEqualTo("INACTIVE");
        assertThat(status("Charlie shop")).isEqualTo("INACTIVE");
        assertThat(status("Bravo shop")).isEqualTo("ACTIVE");
        assertThat(jdbc.sql("select status from account where id = ?").param(UUID.fromString(other))
                .query(String.class).single()).isEqualTo("ACTIVE");

        // D-10: Charlie sent two days ago, so its allocation frees up 30 days after that send.
        String charlie = row(page, "Charlie shop");
        assertThat(charlie).contains("frees up").doesNotContain(">500<");
        assertThat(audited("subaccount.deactivated")).containsExactlyInAnyOrder(ids.get("Alpha shop"),
                ids.get("Charlie shop"));

        owner.get("/subaccounts");
        WebSession.Page again = owner.postRaw("/subaccounts/bulk", form("activate", ids.get("Alpha shop"),
                ids.get("Bravo shop")));
        String after = owner.get(again.path() + "?lang=en").body();
        assertThat(resultOf(after, "Alpha shop")).contains("Reactivated");
        assertThat(resultOf(after, "Bravo shop")).contains("already active");
        assertThat(status("Alpha shop")).isEqualTo("ACTIVE");
        assertThat(audited("subaccount.activated")).containsExactly(ids.get("Alpha shop"));

        owner.get("/subaccounts");
        assertThat(owner.postRaw("/subaccounts/bulk", form("delete-everything", ids.get("Bravo shop"))).status())
                .isEqualTo(400);
        assertThat(status("Bravo shop")).isEqualTo("ACTIVE");
    }

    private Map<String, String> form(String action, String... subaccounts) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("_csrf", csrfOf(owner.get("/subaccounts").body()));
        fields.put("action", action);
        // A browser sends ids=a&ids=b; one comma-separated value binds to the same list.
        fields.put("ids", String.join(",", subaccounts));
        return fields;
    }

    private static String csrfOf(String page) {
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private List<String> order(String path) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("<tr[^>]*data-subaccount=\"([^\"]+)\"").matcher(owner.get(path).body());
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String row(String page, String name) {
        Matcher m = Pattern.compile("<tr[^>]*data-subaccount=\"" + Pattern.quote(name) + "\".*?</tr>", Pattern.DOTALL)
                .matcher(page);
        assertThat(m.find()).as("row " + name).isTrue();
        return m.group();
    }

    private static String cell(String row, String cssClass) {
        Matcher m = Pattern.compile("<td class=\"" + cssClass + "\"[^>]*>\\s*([^<]*?)\\s*</td>").matcher(row);
        assertThat(m.find()).as(cssClass + " in " + row).isTrue();
        return m.group(1);
    }

    private static String resultOf(String page, String name) {
        Matcher m = Pattern.compile("<li[^>]*data-result-for=\"" + Pattern.quote(name) + "\"[^>]*>(.*?)</li>",
                Pattern.DOTALL).matcher(page);
        assertThat(m.find()).as("result for " + name).isTrue();
        return m.group(1);
    }

    private String status(String name) {
        return jdbc.sql("select status from account where id = ?").param(UUID.fromString(ids.get(name)))
                .query(String.class).single();
    }

    private List<String> audited(String action) {
        return jdbc.sql("select cast(account_id as varchar(36)) from audit_event where root_account_id = ? and action = ?")
                .params(UUID.fromString(master.id()), action).query(String.class).list();
    }

    private void lastSend(String name, Instant at) {
        jdbc.sql("update account set last_send_at = ? where id = ?")
                .params(java.sql.Timestamp.from(at), UUID.fromString(ids.get(name))).update();
    }

    /** Accepted messages this hour, as the delivery statistics record them. */
    private void accepted(String name, long count) {
        jdbc.sql("""
                insert into message_stat (account_id, api_key_id, hour_start, event_type, shard, event_count)
                values (?, ?, ?, 'ACCEPTED', 0, ?)""")
                .params(UUID.fromString(ids.get(name)), new UUID(0, 0),
                        java.sql.Timestamp.from(Instant.now().truncatedTo(ChronoUnit.HOURS)), count)
                .update();
    }
}
