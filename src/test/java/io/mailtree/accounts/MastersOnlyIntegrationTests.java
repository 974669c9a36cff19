package io.mailtree.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.contacts.Sharing;
import io.mailtree.content.ContentSharing;
import io.mailtree.content.Emails;
import io.mailtree.onboarding.Onboarding;
import io.mailtree.shared.Caller;
import io.mailtree.shared.MastersOnly;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * D-5, D-15, D-25, D-26: every act of a master refuses a sub-account with the one code
 * {@code masters_only} and changes nothing, over the API and on the pages (in each language).
 */
class MastersOnlyIntegrationTests extends MailtreeTestBase {

    private static final String PASSWORD = "sub-password-123";
    /** A 1×1 PNG. */
    private static final byte[] PNG = java.util.Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    @Autowired
    private Sharing sharing;

    @Autowired
    private ContentSharing contentSharing;

    @Autowired
    private Emails emails;

    @Autowired
    private Onboarding onboarding;

    private Master master;
    private String subId;
    private String subOwner;
    private Api subKey;
    private Map<String, String> ids;

    @BeforeEach
    void masterWithASubaccountThatOwnsContent() {
        master = master("pro-5000");
        subOwner = uniqueEmail("sub-owner");
        JsonNode created = createSubaccount(master.api(), "Shop Nantes", subOwner, PASSWORD, 500).json();
        subId = created.get("subaccount").get("id").asString();
        subKey = Api.withKey(port, created.get("apiKey"));
        // What the sub-account would share if it could: its own list, test recipient, template, image and e-mail.
        String list = subKey.post("/api/v1/lists", "{\"name\":\"Own list\"}").json().get("id").asString();
        subKey.post("/api/v1/test-recipients", "{\"email\":\"qa@example.test\"}");
        String template = subKey.post("/api/v1/templates", "{\"name\":\"Own template\",\"html\":\"<p>x</p>\"}").json()
                .get("id").asString();
        String image = subKey.postMultipart("/api/v1/images", Map.of(), "logo.png", PNG).json().get("id").asString();
        String email = subKey.post("/api/v1/emails", "{\"name\":\"Own e-mail\",\"subject\":\"Hi\"}").json().get("id")
                .asString();
        ids = Map.of("{sub}", subId, "{list}", list, "{template}", template, "{image}", image, "{email}", email);
    }

    static Stream<Arguments> mastersActs() {
        String targets = "{\"subaccountIds\":[\"{sub}\"]}";
        return Stream.of(
                Arguments.of("POST", "/api/v1/lists/{list}/share", targets),
                Arguments.of("POST", "/api/v1/test-recipients/share", targets),
                Arguments.of("POST", "/api/v1/templates/{template}/share", targets),
                Arguments.of("POST", "/api/v1/images/share", "{\"imageIds\":[{image}],\"subaccountIds\":[\"{sub}\"]}"),
                Arguments.of("POST", "/api/v1/emails/{email}/share", targets),
                Arguments.of("GET", "/api/v1/subaccounts/emails", null),
                Arguments.of("POST", "/api/v1/subaccounts",
                        "{\"name\":\"Grandchild\",\"ownerEmail\":\"grandchild@example.test\",\"contactAllocation\":500}"),
                Arguments.of("GET", "/api/v1/subaccounts", null),
                Arguments.of("GET", "/api/v1/subaccounts/{sub}", null),
                Arguments.of("PATCH", "/api/v1/subaccounts/{sub}", "{\"name\":\"Renamed\",\"contactAllocation\":1000}"),
                Arguments.of("POST", "/api/v1/subaccounts/{sub}/deactivate", null),
                Arguments.of("POST", "/api/v1/subaccounts/{sub}/activate", null));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("mastersActs")
    @DisplayName("D-5, D-15, D-25, D-26: a sub-account's key is refused with masters_only and nothing changes")
    void d5SubaccountKeyRefusedMastersOnlyAndNothingChanges(String method, String path, String body) {
        String before = treeSnapshot();
        Api.Response refused = subKey.send(method, fill(path), body == null ? null : fill(body));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("masters_only");
        assertThat(refused.json().get("detail").asString()).isEqualTo("Only a master account can do this; a sub-account cannot.");
        assertThat(treeSnapshot()).isEqualTo(before);
    }

    @Test
    @DisplayName("D-5, D-25: a sub-account's own login sees the one translated refusal on the master's pages")
    void d5PagesShowTheTranslatedRefusal() {
        WebSession web = new WebSession(port);
        assertThat(web.signIn(subOwner, PASSWORD)).endsWith("/home");
        Map<String, String> messages = Map.of(
                "en", "Only a master account can do this; a sub-account cannot.",
                "fr", "Seul un compte principal peut effectuer cette action ; un sous-compte ne le peut pas.",
                "ja", "この操作はマスターアカウントのみが行えます。サブアカウントでは行えません。");
        for (var language : messages.entrySet()) {
            for (String page : new String[] {"/subaccounts", "/subaccounts/new", "/subaccounts/emails",
                    "/subaccounts/" + subId + "/edit"}) {
                WebSession.Page refused = web.get(page + "?lang=" + language.getKey());
                assertThat(refused.status()).as(page).isEqualTo(403);
                assertThat(refused.body()).as(page + " in " + language.getKey()).contains(language.getValue());
            }
        }
        web.get("/home?lang=en");
        String before = treeSnapshot();
        WebSession.Page create = web.post("/subaccounts/new", Map.of("name", "Grandchild", "ownerEmail",
                uniqueEmail("grandchild"), "contactAllocation", "500"));
        assertThat(create.status()).isEqualTo(403);
        assertThat(create.body()).contains(messages.get("en"));
        web.get("/home");
        WebSession.Page deactivate = web.post("/subaccounts/" + subId + "/deactivate", Map.of());
        assertThat(deactivate.status()).isEqualTo(403);
        assertThat(deactivate.body()).contains(messages.get("en"));
        assertThat(treeSnapshot()).isEqualTo(before);
    }

    @Test
    @DisplayName("D-5, D-25, D-26: the services refuse a sub-account even when no controller stands in front of them")
    void d5ServicesRefuseASubaccountCalledDirectly() {
        Caller sub = new Caller(id(subId), id(subId), false, Caller.Context.DIRECT, subOwner, null, null,
                Permission.all(), "127.0.0.1");
        List<String> targets = List.of(subId);
        long list = Long.parseLong(ids.get("{list}"));
        long template = Long.parseLong(ids.get("{template}"));
        long image = Long.parseLong(ids.get("{image}"));
        long email = Long.parseLong(ids.get("{email}"));
        String before = treeSnapshot();
        Map<String, ThrowingCallable> acts = new LinkedHashMap<>();
        acts.put("share a list", () -> sharing.shareList(sub, list, targets));
        acts.put("share test recipients", () -> sharing.shareTestRecipients(sub, targets));
        acts.put("share a template", () -> contentSharing.shareTemplate(sub, template, targets));
        acts.put("share images", () -> contentSharing.shareImages(sub, List.of(image), targets));
        acts.put("share an e-mail", () -> contentSharing.shareEmail(sub, email, targets));
        acts.put("see e-mails across sub-accounts", () -> emails.acrossSubaccounts(sub, null, null, new PageRequest(0, 50)));
        acts.put("create a sub-account (onboarding)", () -> onboarding.createSubaccount(sub, "Grandchild",
                uniqueEmail("grandchild"), PASSWORD, 500));
        acts.put("create a sub-account (tree)", () -> accountTree.createSubaccount(sub, "Grandchild", 500));
        acts.put("list sub-accounts", () -> accountTree.subaccounts(sub, null, new PageRequest(0, 50)));
        acts.put("read a sub-account", () -> accountTree.subaccount(sub, id(subId)));
        acts.put("edit a sub-account", () -> accountTree.editSubaccount(sub, id(subId), "Renamed", null));
        acts.put("deactivate a sub-account", () -> accountTree.deactivate(sub, id(subId)));
        acts.put("activate a sub-account", () -> accountTree.activate(sub, id(subId)));
        acts.put("work from the master account", () -> accountTree.master(sub));
        acts.forEach((act, call) -> assertThatThrownBy(call).as(act).isInstanceOfSatisfying(MastersOnly.class,
                refused -> {
                    assertThat(refused.code()).isEqualTo("masters_only");
                    assertThat(refused.status()).isEqualTo(403);
                }));
        assertThat(treeSnapshot()).isEqualTo(before);

        // The tree checks the stored account too: a caller claiming to be a master for a sub-account is refused.
        Caller forged = new Caller(id(subId), id(subId), true, Caller.Context.DIRECT, subOwner, null, null,
                Permission.all(), "127.0.0.1");
        assertThatThrownBy(() -> accountTree.createSubaccount(forged, "Grandchild", 500)).isInstanceOf(MastersOnly.class);
        assertThatThrownBy(() -> accountTree.master(forged)).isInstanceOf(MastersOnly.class);
        assertThat(treeSnapshot()).isEqualTo(before);
    }

    private String fill(String text) {
        String filled = text;
        for (var id : ids.entrySet()) {
            filled = filled.replace(id.getKey(), id.getValue());
        }
        return filled;
    }

    /** Everything the master's acts could change in this tree, as one comparable text. */
    private String treeSnapshot() {
        UUID root = UUID.fromString(master.id());
        String accounts = String.join("|", jdbc.sql("""
                select id || ':' || status || ':' || name || ':' || coalesce(contact_allocation, -1)
                from account where root_id = ? order by id""").param(root).query(String.class).list());
        StringBuilder counts = new StringBuilder(accounts);
        for (String table : new String[] {"contact_list", "contact", "test_recipient", "template", "image", "email",
                "app_user", "api_key", "audit_event"}) {
            counts.append(' ').append(table).append('=').append(jdbc.sql("select count(*) from " + table
                    + " where account_id in (select id from account where root_id = ?)").param(root).query(Long.class)
                    .single());
        }
        return counts.toString();
    }
}
