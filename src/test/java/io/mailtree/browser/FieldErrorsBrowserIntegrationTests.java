package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * Per-field errors in real headless Chromium: a sign-up with three wrong fields shows the three
 * errors at once, each right below its field, the field marked and described by it, in English,
 * French and Japanese; the contact, template, e-mail, webhook, API key, invitation and domain forms
 * do the same with several wrong fields at once, keeping what was typed.
 * <p>The browser's own checks (required, type=email, maxlength) are switched off on the form
 * ({@code noValidate}) and a select is given a value it does not offer, as a script or an old browser
 * would send: what is proven is the server's answer, which is what every client gets.
 */
class FieldErrorsBrowserIntegrationTests extends BrowserTestSupport {

    private static final List<String> FIELDS = List.of("name", "email", "password");

    @Test
    @DisplayName("sign-up: three field errors at once beside their fields, marked, in en, fr and ja")
    void severalFieldErrorsBesideTheirFields() {
        Map<String, List<String>> expected = Map.of(
                "en", List.of("Enter a name", "Enter a valid e-mail address.", "The password must have between 10"),
                "fr", List.of("nom", "adresse e-mail valide", "mot de passe"),
                "ja", List.of("名前", "メールアドレス", "パスワード"));
        for (String lang : List.of("en", "fr", "ja")) {
            open("/signup?lang=" + lang);
            type("name", " ");
            type("email", "not-an-address");
            type("password", "short");
            click(By.id("sign-up"));
            waitFor(d -> !d.findElements(By.id("form-errors")).isEmpty());
            Chromium.screenshot(browser, "field-errors-" + lang);

            // Read every field, its marks and the element right after it in one script.
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> fields = (List<Map<String, Object>>) browser.executeScript("""
                    return arguments[0].map(function (id) {
                      var input = document.getElementById(id);
                      var error = document.getElementById(id + '-error');
                      var next = input.nextElementSibling;
                      var a = input.getBoundingClientRect(), b = error ? error.getBoundingClientRect() : null;
                      return {id: id, invalid: input.getAttribute('aria-invalid'),
                              describedBy: input.getAttribute('aria-describedby'),
                              next: next ? next.id : null, text: error ? error.textContent.trim() : null,
                              gap: b ? b.top - a.bottom : null, visible: b ? b.height > 0 : false};
                    });""", FIELDS);
            for (int i = 0; i < FIELDS.size(); i++) {
                Map<String, Object> field = fields.get(i);
                String id = FIELDS.get(i);
                assertThat(field.get("invalid")).as(lang + " " + id).isEqualTo("true");
                assertThat(field.get("describedBy")).as(lang + " " + id).isEqualTo(id + "-error");
                assertThat(field.get("next")).as(lang + " " + id + ": the error comes right after the field")
                        .isEqualTo(id + "-error");
                assertThat(field.get("visible")).as(lang + " " + id).isEqualTo(true);
                assertThat(((Number) field.get("gap")).doubleValue()).as(lang + " " + id + ": just below the field")
                        .isBetween(-1.0, 40.0);
                assertThat((String) field.get("text")).as(lang + " " + id).contains(expected.get(lang).get(i));
            }
            assertThat(text(By.id("form-errors"))).as(lang).contains("3");
            assertThat(browser.findElement(By.id("email")).getDomProperty("value")).isEqualTo("not-an-address");
        }
    }

    private static final String PASSWORD = "owner-password-1";

    @Test
    @DisplayName("contact, template, e-mail, webhook, key, invitation, domain forms: several errors at once beside their fields, in en and fr")
    void everyFormShowsEveryErrorAtOnce() {
        Master master = master("pro-5000");
        master.api().post("/api/v1/contact-properties", "{\"key\":\"nickname\",\"label\":\"Nickname\",\"type\":\"TEXT\"}");
        long template = master.api().post("/api/v1/templates", "{\"name\":\"Welcome\",\"html\":\"<p>Hi</p>\"}")
                .json().get("id").asLong();
        long email = master.api().post("/api/v1/emails", "{\"name\":\"Launch\"}").json().get("id").asLong();
        signIn(ownerOf(master, PASSWORD), PASSWORD);

        for (String lang : List.of("en", "fr")) {
            open("/contacts?lang=" + lang);
            noValidate("new-contact");
            type("email", "broken-" + lang);
            offer("status", "MAYBE");
            setValue("prop_nickname", "n".repeat(1001));
            submit(By.id("create-contact"));
            assertBesideFields(lang + " contact", List.of("email", "status", "prop_nickname"),
                    Map.of("en", List.of("Enter a valid e-mail address.", "Choose a status", "nickname"),
                            "fr", List.of("adresse e-mail valide", "statut", "nickname")).get(lang));
            assertThat(browser.findElement(By.id("email")).getDomProperty("value")).isEqualTo("broken-" + lang);
            Chromium.screenshot(browser, "field-errors-contact-" + lang);
        }
        assertThat(jdbc.sql("select count(*) from contact where account_id = ?").param(java.util.UUID.fromString(master.id()))
                .query(Long.class).single()).isZero();

        open("/templates/" + template + "?lang=fr");
        noValidate("template-form");
        type("name", " ");
        setValue("subject", "s".repeat(301));
        setValue("html", "<p>{{#if x}}</p>");
        submit(By.id("save-template"));
        assertBesideFields("fr template", List.of("name", "subject", "html"), List.of("nom", "300", "html"));
        assertThat(browser.findElements(By.id("syntax-error"))).hasSize(1);
        Chromium.screenshot(browser, "field-errors-template-fr");

        open("/emails/" + email + "?lang=fr");
        noValidate("email-form");
        type("name", " ");
        setValue("fromEmail", "nobody");
        setValue("replyTo", "nowhere");
        submit(By.id("save-email"));
        assertBesideFields("fr e-mail", List.of("name", "fromEmail", "replyTo"),
                List.of("nom", "adresse e-mail valide", "adresse e-mail valide"));
        assertThat(browser.findElement(By.id("replyTo")).getDomProperty("value")).isEqualTo("nowhere");

        open("/webhooks?lang=fr");
        noValidate("add-webhook");
        setValue("url", "ftp://hooks.example/x");
        setValue("description", "d".repeat(201));
        submit(By.id("add-webhook-submit"));
        assertBesideFields("fr webhook", List.of("url", "description"), List.of("http://", "200"));
        assertThat(text(By.id("event-types-error"))).contains("type d’événement");
        assertThat(text(By.id("form-errors"))).contains("3");

        open("/keys?lang=fr");
        noValidate("new-key");
        type("new-key-name", " ");
        offer("new-key-label", "LOUD");
        submit(By.id("create-key"));
        assertBesideFields("fr key", List.of("new-key-name", "new-key-label"), List.of("nom", "Marketing"));

        open("/members?lang=fr");
        noValidate("invite-form");
        setValue("invite-email", "not-mail");
        browser.executeScript("""
                var box = document.createElement('input');
                box.type = 'checkbox'; box.name = 'permissions'; box.value = 'FLYING'; box.checked = true;
                document.getElementById('invite-permissions').appendChild(box);""");
        submit(By.id("invite-submit"));
        assertBesideFields("fr invitation", List.of("invite-email"), List.of("adresse e-mail valide"));
        assertThat(text(By.id("invite-permissions-error"))).contains("FLYING");
        assertThat(browser.findElement(By.id("invite-email")).getDomProperty("value")).isEqualTo("not-mail");

        open("/senders?lang=fr");
        noValidate("add-domain");
        type("domain", "not a domain");
        submit(By.id("add-domain-submit"));
        assertBesideFields("fr domain", List.of("domain"), List.of("domaine"));
        assertThat(browser.findElement(By.id("domain")).getDomProperty("value")).isEqualTo("not a domain");
    }

    private void noValidate(String formId) {
        browser.executeScript("document.getElementById(arguments[0]).noValidate = true;", formId);
    }

    private void setValue(String id, String value) {
        browser.executeScript("document.getElementById(arguments[0]).value = arguments[1];", id, value);
    }

    /** Makes a select offer (and choose) a value the page does not offer. */
    private void offer(String id, String value) {
        browser.executeScript("""
                var select = document.getElementById(arguments[0]), option = document.createElement('option');
                option.value = arguments[1]; option.text = arguments[1];
                select.appendChild(option); select.value = arguments[1];""", id, value);
    }

    /** Each field is marked, described by its error, and the error (holding its text) sits right below it. */
    private void assertBesideFields(String what, List<String> ids, List<String> texts) {
        waitFor(d -> !d.findElements(By.id("form-errors")).isEmpty());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> fields = (List<Map<String, Object>>) browser.executeScript("""
                return arguments[0].map(function (id) {
                  var input = document.getElementById(id);
                  var error = document.getElementById(id + '-error');
                  var next = input ? input.nextElementSibling : null;
                  var a = input ? input.getBoundingClientRect() : null, b = error ? error.getBoundingClientRect() : null;
                  return {id: id, invalid: input ? input.getAttribute('aria-invalid') : null,
                          describedBy: input ? input.getAttribute('aria-describedby') : null,
                          next: next ? next.id : null, text: error ? error.textContent.trim() : null,
                          gap: a && b ? b.top - a.bottom : null, visible: b ? b.height > 0 : false};
                });""", ids);
        for (int i = 0; i < ids.size(); i++) {
            Map<String, Object> field = fields.get(i);
            String id = ids.get(i);
            assertThat(field.get("invalid")).as(what + " " + id).isEqualTo("true");
            assertThat(field.get("describedBy")).as(what + " " + id).isEqualTo(id + "-error");
            assertThat(field.get("next")).as(what + " " + id + ": the error comes right after the field")
                    .isEqualTo(id + "-error");
            assertThat(field.get("visible")).as(what + " " + id).isEqualTo(true);
            assertThat(((Number) field.get("gap")).doubleValue()).as(what + " " + id + ": just below the field")
                    .isBetween(-1.0, 40.0);
            assertThat((String) field.get("text")).as(what + " " + id).containsIgnoringCase(texts.get(i));
        }
    }
}
