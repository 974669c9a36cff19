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
 * French and Japanese.
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
}
