package io.mailtree.shared.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The forms' errors over real HTTP and PostgreSQL: every error of a submission at once, each beside
 * its field, the field marked (aria-invalid and aria-describedby pointing at its error), nothing
 * written, in the page's language.
 */
class FieldErrorsIntegrationTests extends MailtreeTestBase {

    @Test
    @DisplayName("sign-up: a blank name, a bad address and a short password are reported together, each beside its field, and nothing is created")
    void signUpReportsEveryFieldAtOnce() {
        WebSession visitor = new WebSession(port);
        visitor.get("/signup?lang=en");
        WebSession.Page page = visitor.post("/signup", Map.of("name", "   ", "email", "not-an-address",
                "password", "short"));
        assertThat(page.status()).isEqualTo(200);
        String html = page.body();
        assertMarked(html, "name", "Enter a name of 1 to 100 characters");
        assertMarked(html, "email", "Enter a valid e-mail address.");
        assertMarked(html, "password", "The password must have between 10 and");
        assertThat(html).contains("id=\"form-errors\"").contains("3 fields need a correction");
        assertThat(html).as("the typed address is kept").contains("value=\"not-an-address\"");
        assertThat(jdbc.sql("select count(*) from app_user where email = 'not-an-address'").query(Long.class).single())
                .isZero();
    }

    @Test
    @DisplayName("sign-up: a login address already in use is reported beside the e-mail field, in French and Japanese too")
    void signUpTakenAddressBesideEmail() {
        String taken = ownerOf(master("pro-5000"), "master-password-1");
        WebSession visitor = new WebSession(port);
        visitor.get("/signup?lang=fr");
        String french = visitor.post("/signup", Map.of("name", "Shop", "email", taken, "password", "long-enough-pass"))
                .body();
        assertMarked(french, "email", "déjà utilisé");
        assertThat(french).contains("Un champ est à corriger");
        assertThat(inputTag(french, "name")).doesNotContain("aria-invalid");

        visitor.get("/signup?lang=ja");
        String japanese = visitor.post("/signup", Map.of("name", "", "email", "x", "password", "x")).body();
        assertThat(japanese).contains("3 件の項目を修正してください");
        assertMarked(japanese, "email", "");
    }

    @Test
    @DisplayName("new sub-account: name, owner e-mail and password errors together; an allocation beyond the allowance beside the allocation")
    void newSubaccountFieldErrors() {
        Master master = master("pro-1000");
        WebSession owner = signInAsOwner(master);
        owner.get("/subaccounts/new?lang=en");
        String html = owner.post("/subaccounts/new", Map.of("name", "", "ownerEmail", "nobody",
                "password", "short", "contactAllocation", "500")).body();
        assertMarked(html, "name", "Enter a name");
        assertMarked(html, "ownerEmail", "Enter a valid e-mail address.");
        assertMarked(html, "password", "The password must have between");
        assertThat(inputTag(html, "contactAllocation")).doesNotContain("aria-invalid");

        owner.get("/subaccounts/new?lang=en");
        String over = owner.post("/subaccounts/new", Map.of("name", "Too big", "ownerEmail", uniqueEmail("big"),
                "contactAllocation", "abc")).body();
        assertMarked(over, "contactAllocation", "");
        assertThat(jdbc.sql("select count(*) from account where parent_id = ?").param(UUID.fromString(master.id()))
                .query(Long.class).single()).isZero();
    }

    @Test
    @DisplayName("senders and domains: a bad address and a too long name together; a bad domain beside the domain")
    void senderAndDomainFieldErrors() {
        WebSession owner = signInAsOwner(master("pro-5000"));
        owner.get("/senders?lang=en");
        String html = owner.post("/senders", Map.of("email", "nope", "name", "x".repeat(101))).body();
        assertMarked(html, "email", "Enter a valid e-mail address.");
        assertMarked(html, "name", "Line breaks are not allowed");
        assertThat(html).contains("2 fields need a correction");

        owner.get("/senders?lang=en");
        assertMarked(owner.post("/senders/domains", Map.of("domain", "not a domain")).body(), "domain", "");
    }

    @Test
    @DisplayName("lists, templates, e-mails, contacts: the refused name or address is marked beside its field; a rename error survives the redirect")
    void contentAndContactFieldErrors() {
        Master master = master("pro-5000");
        WebSession owner = signInAsOwner(master);
        owner.get("/lists?lang=en");
        assertMarked(owner.post("/lists", Map.of("name", "  ")).body(), "name", "Enter a name");
        owner.get("/templates?lang=en");
        assertMarked(owner.post("/templates", Map.of("name", "")).body(), "name", "Enter a name");
        owner.get("/emails?lang=en");
        assertMarked(owner.post("/emails", Map.of("name", "")).body(), "name", "Enter a name");
        owner.get("/contacts?lang=en");
        assertMarked(owner.post("/contacts", Map.of("email", "broken", "name", "Ann")).body(), "email",
                "Enter a valid e-mail address.");

        long list = master.api().post("/api/v1/lists", "{\"name\":\"Buyers\"}").json().get("id").asLong();
        owner.get("/lists/" + list + "?lang=en");
        WebSession.Page renamed = owner.post("/lists/" + list + "/rename", Map.of("name", ""));
        assertThat(renamed.status()).isEqualTo(302);
        String after = owner.get(renamed.path()).body();
        assertMarked(after, "rename-name", "Enter a name");
        assertThat(after).as("the menu holding the field is open").containsPattern("<details class=\"menu\"[^>]*open");
    }

    @Test
    @DisplayName("keys, invitations, webhooks: the error sits beside the key name, the invited address and the endpoint URL")
    void keysInvitationsWebhooksFieldErrors() {
        WebSession owner = signInAsOwner(master("pro-5000"));
        owner.get("/keys?lang=en");
        WebSession.Page key = owner.post("/keys", Map.of("name", ""));
        assertMarked(owner.get(key.path()).body(), "new-key-name", "A key needs a name.");

        owner.get("/members?lang=en");
        WebSession.Page invite = owner.post("/members/invite", Map.of("email", "not-mail", "preset", "DESIGNER"));
        String members = owner.get(invite.path()).body();
        assertMarked(members, "invite-email", "");
        assertThat(members).contains("value=\"not-mail\"");

        owner.get("/webhooks?lang=en");
        String webhooks = owner.post("/webhooks", Map.of("url", "ftp://hooks.example/x", "eventType", "message.delivered"))
                .body();
        assertMarked(webhooks, "url", "A webhook URL starts with http:// or https://.");
    }

    @Test
    @DisplayName("contact, template, e-mail: every wrong field at once beside its field, what was typed kept, nothing written")
    void contactTemplateEmailAllAtOnce() {
        Master master = master("pro-5000");
        master.api().post("/api/v1/contact-properties", "{\"key\":\"nickname\",\"label\":\"Nickname\",\"type\":\"TEXT\"}");
        WebSession owner = signInAsOwner(master);
        owner.get("/contacts?lang=en");
        String contact = owner.post("/contacts", Map.of("email", "broken", "name", "Ann", "status", "MAYBE",
                "prop_nickname", "n".repeat(1001))).body();
        assertMarked(contact, "email", "Enter a valid e-mail address.");
        assertMarked(contact, "status", "");
        assertMarked(contact, "prop_nickname", "");
        assertThat(contact).contains("3 fields need a correction").contains("value=\"broken\"");
        assertThat(jdbc.sql("select count(*) from contact where account_id = ?").param(UUID.fromString(master.id()))
                .query(Long.class).single()).isZero();

        long template = master.api().post("/api/v1/templates", "{\"name\":\"Welcome\",\"html\":\"<p>Hi</p>\"}")
                .json().get("id").asLong();
        owner.get("/templates/" + template + "?lang=en");
        String edited = owner.post("/templates/" + template, Map.of("name", "", "subject", "s".repeat(301),
                "html", "<p>{{#if x}}</p>", "text", "")).body();
        assertMarked(edited, "name", "Enter a name");
        assertMarked(edited, "subject", "The subject may have at most 300 characters.");
        assertMarked(edited, "html", "Syntax error");
        assertThat(edited).contains("id=\"syntax-error\"").contains("3 fields need a correction");
        assertThat(master.api().get("/api/v1/templates/" + template).json().get("name").asString()).isEqualTo("Welcome");

        long email = master.api().post("/api/v1/emails", "{\"name\":\"Launch\"}").json().get("id").asLong();
        owner.get("/emails/" + email + "?lang=en");
        String draft = owner.post("/emails/" + email, Map.of("name", "", "type", "AB_TEST", "subject", "Hi",
                "fromEmail", "nobody", "replyTo", "nowhere", "testPercent", "many", "waitHours", "0")).body();
        assertMarked(draft, "name", "Enter a name");
        assertMarked(draft, "fromEmail", "");
        assertMarked(draft, "replyTo", "");
        assertMarked(draft, "testPercent", "");
        assertThat(draft).contains("4 fields need a correction").contains("value=\"nowhere\"");
        assertThat(master.api().get("/api/v1/emails/" + email).json().get("name").asString()).isEqualTo("Launch");
    }

    @Test
    @DisplayName("webhook, key, invitation: every wrong field at once beside its field, in French too, what was typed kept")
    void webhookKeyInvitationAllAtOnce() {
        Master master = master("pro-5000");
        WebSession owner = signInAsOwner(master);
        owner.get("/webhooks?lang=fr");
        String hook = owner.post("/webhooks", Map.of("url", "ftp://hooks.example/x", "description", "d".repeat(201)))
                .body();
        assertMarked(hook, "url", "commence par http://");
        assertMarked(hook, "description", "200");
        assertThat(hook).contains("id=\"event-types-error\"").contains("3 champs sont à corriger");

        String created = master.api().post("/api/v1/webhooks",
                "{\"url\":\"https://93.184.215.14/hook\",\"eventTypes\":[\"message.delivered\"]}").json().get("id")
                .asString();
        owner.get("/webhooks/" + created + "?lang=en");
        String edit = owner.post("/webhooks/" + created, Map.of("url", "ftp://other.example/y",
                "description", "e".repeat(201), "enabled", "true")).body();
        assertMarked(edit, "url", "A webhook URL starts with http:// or https://.");
        assertMarked(edit, "description", "");
        assertThat(edit).as("what was typed, not what is stored").contains("value=\"ftp://other.example/y\"");

        owner.get("/keys?lang=en");
        WebSession.Page key = owner.post("/keys", Map.of("name", "", "label", "LOUD"));
        String keys = owner.get(key.path()).body();
        assertMarked(keys, "new-key-name", "A key needs a name.");
        assertMarked(keys, "new-key-label", "");

        owner.get("/members?lang=en");
        WebSession.Page invite = owner.post("/members/invite", Map.of("email", "not-mail",
                "permissions", "FLYING"));
        String members = owner.get(invite.path()).body();
        assertMarked(members, "invite-email", "");
        assertThat(members).contains("id=\"invite-permissions-error\"").contains("value=\"not-mail\"");
        assertThat(jdbc.sql("select count(*) from invitation where account_id = ?").param(UUID.fromString(master.id()))
                .query(Long.class).single()).isZero();
    }

    /** The field is marked, described by its error, and the error (with {@code text}) follows it. */
    private static void assertMarked(String html, String id, String text) {
        String tag = inputTag(html, id);
        assertThat(tag).as("field " + id).contains("aria-invalid=\"true\"")
                .contains("aria-describedby=\"" + id + "-error\"");
        Matcher error = Pattern.compile("<p class=\"field-error\" id=\"" + Pattern.quote(id) + "-error\">([^<]*)</p>")
                .matcher(html);
        assertThat(error.find()).as("error paragraph of " + id).isTrue();
        assertThat(error.group(1)).isNotBlank().contains(text);
        assertThat(html.indexOf(tag)).as("the error follows its field").isLessThan(error.start());
    }

    private static String inputTag(String html, String id) {
        Matcher tag = Pattern.compile("<(input|select|textarea)\\b[^>]*\\bid=\"" + Pattern.quote(id) + "\"[^>]*>")
                .matcher(html);
        assertThat(tag.find()).as("input " + id).isTrue();
        return tag.group();
    }
}
