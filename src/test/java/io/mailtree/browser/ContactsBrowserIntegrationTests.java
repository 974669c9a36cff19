package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The contacts pages in real headless Chromium: a 20,000-row CSV through the import wizard (upload,
 * column mapping, the self-refreshing progress page, counts, the error report with line numbers),
 * and a list shared with sub-accounts with the outcome per target (D-11, D-26, D-28).
 */
class ContactsBrowserIntegrationTests extends BrowserTestSupport {

    private static final String PASSWORD = "contacts-browser-password";

    private Path csv;

    @AfterEach
    void deleteFiles() throws Exception {
        if (csv != null) {
            Files.deleteIfExists(csv);
        }
    }

    @Test
    @DisplayName("D-11: a 20,000-row CSV through the import wizard, with its progress, counts and error report")
    void importWizardShowsProgressCountsAndErrorReport() throws Exception {
        Master master = master("lite-25000");
        signIn(ownerOf(master));

        // 20,000 data rows; five are invalid, at known line numbers (the header is line 1).
        int rows = 20_000;
        Map<Integer, String> invalid = new LinkedHashMap<>();
        invalid.put(2 + 17, "not-an-address");
        invalid.put(2 + 4_321, "bad@");
        invalid.put(2 + 9_999, "");
        invalid.put(2 + 15_000, "a b@example.com");
        invalid.put(2 + 19_999, "x@exa_mple.com");
        csv = Files.createTempFile("mailtree-browser-import-", ".csv");
        try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            out.write("Email,Name,City,Plan\r\n");
            for (int i = 0; i < rows; i++) {
                String email = invalid.getOrDefault(i + 2, "person" + i + "@import.example");
                out.write(email + ",Person " + i + "," + (i % 2 == 0 ? "Lyon" : "\"Paris, France\"") + ",gold\r\n");
            }
        }
        int valid = rows - invalid.size();

        click(By.id("nav-contacts"));
        assertThat(text(By.id("no-contacts"))).contains("No contacts yet");
        click(By.id("import-contacts"));
        chooseFile(By.id("file"), csv);
        type("newListName", "Spring fair");
        Chromium.screenshot(browser, "contacts-01-import-upload");
        click(By.id("upload-submit"));

        // The mapping step shows each header with its first values, preselected from the header.
        assertThat(text(By.id("mapping-file"))).startsWith("mailtree-browser-import-");
        assertThat(text(By.id("mapping-list"))).contains("Spring fair");
        assertThat(selected("Email")).isEqualTo("email");
        assertThat(selected("Name")).isEqualTo("name");
        assertThat(selected("City")).isEqualTo("property:city");
        assertThat(selected("Plan")).isEqualTo("property:plan");
        assertThat(text(By.cssSelector("tr[data-header='Email'] .samples"))).contains("person0@import.example");
        assertThat(text(By.cssSelector("tr[data-header='City'] .samples"))).contains("Paris, France");
        new Select(browser.findElement(By.cssSelector("tr[data-header='Plan'] select"))).selectByValue("ignore");
        Chromium.screenshot(browser, "contacts-02-import-mapping");
        click(By.id("start-import"));

        // The progress page: a real progress bar, refreshed by htmx until the job is finished.
        new WebDriverWait(browser, Duration.ofSeconds(10))
                .until(ExpectedConditions.urlMatches(".*/imports/[0-9a-f-]{36}$"));
        assertThat(browser.executeScript("return typeof window.htmx")).isEqualTo("object");
        // Read in one script: htmx replaces the bar every 500 ms, so an element found first may be gone
        // by the time a second call asks for its attribute.
        Object bar = browser.executeScript(
                "var bar = document.getElementById('import-bar'); return [bar.tagName.toLowerCase(), bar.getAttribute('max')];");
        assertThat(bar).isEqualTo(java.util.List.of("progress", "100"));
        // Status and refresh trigger of the same element, read together: the job may finish (and htmx swap
        // the element for one without a trigger) between two separate calls.
        java.util.List<?> first = (java.util.List<?>) browser.executeScript("var progress = document.getElementById("
                + "'import-progress'); return [progress.getAttribute('data-status'), progress.getAttribute('hx-trigger')];");
        String firstStatus = (String) first.get(0);
        Chromium.screenshot(browser, "contacts-03-import-progress-" + firstStatus.toLowerCase());
        if ("RUNNING".equals(firstStatus)) {
            assertThat(first.get(1)).isEqualTo("every 500ms");
        }
        boolean[] midway = {false};
        new WebDriverWait(browser, Duration.ofMillis(90_000)).pollingEvery(Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class).until(d -> {
                    WebElement progress = d.findElement(By.id("import-progress"));
                    if (!"RUNNING".equals(progress.getDomAttribute("data-status"))) {
                        return true;
                    }
                    String percent = d.findElement(By.id("import-bar")).getDomAttribute("value");
                    if (!midway[0] && !"0".equals(percent)) {
                        midway[0] = true;
                        Chromium.screenshot(browser, "contacts-03b-import-progress-" + percent);
                    }
                    return false;
                });
        assertThat(attribute(By.id("import-progress"), "data-status")).isEqualTo("DONE");
        assertThat(text(By.id("import-status"))).isEqualTo("Done");
        assertThat(browser.findElement(By.id("import-progress")).getDomAttribute("hx-trigger")).isNull();
        assertThat(browser.findElement(By.id("import-bar")).getDomProperty("value")).isEqualTo("100");
        assertThat(text(By.id("import-percent"))).isEqualTo("100%");
        assertThat(text(By.id("import-rows"))).isEqualTo("Rows read: 20,000");
        assertThat(text(By.id("count-created"))).isEqualTo(String.format("%,d", valid));
        assertThat(text(By.id("count-updated"))).isEqualTo("0");
        assertThat(text(By.id("count-unchanged"))).isEqualTo("0");
        assertThat(text(By.id("count-invalid"))).isEqualTo("5");
        Chromium.screenshot(browser, "contacts-04-import-done");

        // The error report lists each bad line with its number, address and reason.
        WebElement report = browser.findElement(By.id("error-report"));
        assertThat(report.getText()).isEqualTo("Download the invalid rows (5, CSV)");
        String errors = fetch(report.getDomProperty("href"));
        List<String> lines = errors.lines().toList();
        assertThat(lines.get(0)).isEqualTo("line,email,code,reason");
        assertThat(lines).hasSize(1 + invalid.size());
        for (Map.Entry<Integer, String> bad : invalid.entrySet()) {
            String code = bad.getValue().isEmpty() ? "missing_email" : "invalid_email";
            assertThat(lines).as("line " + bad.getKey())
                    .anyMatch(l -> l.startsWith(bad.getKey() + ",\"" + bad.getValue() + "\"," + code + ","));
        }

        // The list created with the import, and the contacts page, show the contacts.
        assertThat(text(By.id("open-list"))).contains("Spring fair");
        click(By.id("open-list"));
        assertThat(text(By.id("list-name"))).isEqualTo("Spring fair");
        assertThat(text(By.id("member-count"))).isEqualTo(String.format("%,d", valid));
        assertThat(browser.findElements(By.cssSelector("#members tr.member"))).hasSize(50);

        submit(By.id("nav-contacts"));
        assertThat(browser.findElements(By.cssSelector("#contacts tr.contact"))).hasSize(50);
        assertThat(browser.findElements(By.cssSelector("#contacts th")).stream().map(WebElement::getText))
                .contains("City").doesNotContain("Plan", "plan");
        Chromium.screenshot(browser, "contacts-05-contacts");
        click(By.id("next-page"));
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(ExpectedConditions.urlContains("cursor="));
        assertThat(browser.findElements(By.cssSelector("#contacts tr.contact"))).hasSize(50);
        assertThat(browser.findElements(By.id("first-page"))).hasSize(1);

        type("q", "person1235@");
        click(By.id("search-submit"));
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(ExpectedConditions.urlContains("q=person1235"));
        List<WebElement> found = browser.findElements(By.cssSelector("#contacts tr.contact"));
        assertThat(found).hasSize(1);
        assertThat(found.get(0).getText()).contains("person1235@import.example").contains("Person 1235")
                .contains("Subscribed").contains("Paris, France");
        assertThat(browser.findElement(By.id("export-csv")).getDomProperty("href"))
                .endsWith("/contacts/export.csv?q=person1235@");
        assertThat(fetch(browser.findElement(By.id("export-csv")).getDomProperty("href")).lines().toList())
                .containsExactly("email,name,status,\"city\"",
                        "\"person1235@import.example\",\"Person 1235\",SUBSCRIBED,\"Paris, France\"");
        Chromium.screenshot(browser, "contacts-06-search");

        // The recent imports list the job.
        click(By.id("subnav-imports"));
        assertThat(text(By.cssSelector("#imports tr.import[data-status='DONE'] .import-status"))).isEqualTo("Done");
    }

    @Test
    @DisplayName("D-11, D-26, D-28: a list and the test recipients shared with sub-accounts, with the outcome per target")
    void listSharedWithSubaccountsShowsTheOutcomePerTarget() {
        Master master = master("lite-2500");
        createSubaccount(master.api(), "Lyon shop", uniqueEmail("lyon"), null, 500);
        String paris = createSubaccount(master.api(), "Paris shop", uniqueEmail("paris"), null, 500).json()
                .get("subaccount").get("id").asString();
        setOwnActiveContacts(paris, 499);
        signIn(ownerOf(master));

        click(By.id("nav-contacts"));
        click(By.id("subnav-lists"));
        type("name", "VIP customers");
        click(By.id("create-list"));
        assertThat(text(By.id("list-name"))).isEqualTo("VIP customers");
        type("emails", "ann@vip.example\nbob@vip.example\n\ncarol@vip.example\nann@vip.example");
        click(By.id("add-members-submit"));
        assertThat(text(By.id("add-result"))).isEqualTo("Added to the list: 3. Already members: 0. New contacts created: 3.");
        assertThat(text(By.id("member-count"))).isEqualTo("3");
        assertThat(browser.findElements(By.cssSelector("#members tr.member"))).hasSize(3);

        // Share with both: Lyon has room; Paris has 1 contact left of its 500 and is refused with the numbers.
        browser.findElement(By.cssSelector("#share-form input[data-subaccount='Lyon shop']")).click();
        browser.findElement(By.cssSelector("#share-form input[data-subaccount='Paris shop']")).click();
        Chromium.screenshot(browser, "contacts-07-share-picker");
        click(By.id("share-submit"));
        WebElement lyon = browser.findElement(By.cssSelector("tr.share-result[data-subaccount='Lyon shop']"));
        assertThat(lyon.getDomAttribute("data-status")).isEqualTo("shared");
        assertThat(lyon.getText()).contains("Shared").contains("A copy of the list was created. Members: 3.");
        WebElement parisRow = browser.findElement(By.cssSelector("tr.share-result[data-subaccount='Paris shop']"));
        assertThat(parisRow.getDomAttribute("data-status")).isEqualTo("refused");
        assertThat(parisRow.getText()).contains("Refused").contains("New contacts needed: 3; available in its allocation: 1. Nothing was copied.");
        Chromium.screenshot(browser, "contacts-08-share-results");
        assertThat(jdbc.sql("""
                select l.member_count from contact_list l join account a on a.id = l.account_id
                where a.name = 'Lyon shop' and a.parent_id = ? and l.name = 'VIP customers'""")
                .param(UUID.fromString(master.id())).query(Integer.class).single()).isEqualTo(3);

        // The test recipients are shared the same way.
        click(By.id("subnav-test-recipients"));
        type("email", "qa@agency.example");
        type("name", "QA desk");
        click(By.id("add-test-recipient-submit"));
        assertThat(text(By.cssSelector(".notice"))).contains("qa@agency.example");
        browser.findElement(By.cssSelector("#share-form input[data-check-all]")).click();
        click(By.id("share-submit"));
        assertThat(text(By.cssSelector("tr.share-result[data-subaccount='Lyon shop']")))
                .contains("Test recipients copied: 1.");
        assertThat(text(By.cssSelector("tr.share-result[data-subaccount='Paris shop']")))
                .contains("Test recipients copied: 1.");

        // The pages speak French and Japanese too.
        open("/lists?lang=fr");
        assertThat(text(By.cssSelector("h1"))).isEqualTo("Listes");
        Chromium.screenshot(browser, "contacts-09-lists-fr");
        open("/imports/new?lang=ja");
        assertThat(text(By.cssSelector("h1"))).isEqualTo("コンタクトをインポート");
        open("/contacts?lang=en");
    }

    @Test
    @DisplayName("The import wizard says when a file is not UTF-8 and when no column is the e-mail address")
    void importWizardExplainsCharsetAndMappingMistakes() throws Exception {
        Master master = master("lite-1000");
        signIn(ownerOf(master));
        csv = Files.createTempFile("mailtree-latin1-", ".csv");
        Files.write(csv, "courriel;nom\r\nzoe@latin.example;Zoé\r\nleo@latin.example;Léo\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));

        open("/imports/new");
        chooseFile(By.id("file"), csv);
        click(By.id("upload-submit"));
        assertThat(text(By.cssSelector(".problem"))).startsWith("The file is not UTF-8.");

        chooseFile(By.id("file"), csv);
        new Select(browser.findElement(By.id("charset"))).selectByValue("windows-1252");
        click(By.id("upload-submit"));
        assertThat(selected("courriel")).isEqualTo("email");
        assertThat(selected("nom")).isEqualTo("name");
        assertThat(text(By.cssSelector("tr[data-header='nom'] .samples"))).contains("Zoé").contains("Léo");

        new Select(browser.findElement(By.cssSelector("tr[data-header='courriel'] select"))).selectByValue("ignore");
        click(By.id("start-import"));
        assertThat(text(By.cssSelector(".problem"))).isEqualTo("Map one column to the e-mail address.");
        assertThat(selected("courriel")).isEqualTo("ignore");
        Chromium.screenshot(browser, "contacts-10-mapping-problem");

        new Select(browser.findElement(By.cssSelector("tr[data-header='courriel'] select"))).selectByValue("email");
        click(By.id("start-import"));
        new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class)
                .until(d -> "DONE".equals(d.findElement(By.id("import-progress")).getDomAttribute("data-status")));
        assertThat(text(By.id("count-created"))).isEqualTo("2");
        assertThat(browser.findElements(By.id("error-report"))).isEmpty();
        click(By.id("open-contacts"));
        assertThat(text(By.cssSelector("#contacts tr[data-email='zoe@latin.example']"))).contains("Zoé");
    }

    @Test
    @DisplayName("D-7: properties, a contact created, edited and deleted, and the suppression list")
    void propertiesContactsAndSuppressions() {
        Master master = master("lite-1000");
        signIn(ownerOf(master));

        click(By.id("nav-contacts"));
        click(By.id("subnav-properties"));
        assertThat(text(By.id("no-properties"))).isEqualTo("No properties yet.");
        type("key", "birthday");
        type("label", "Birthday");
        new Select(browser.findElement(By.id("type"))).selectByValue("DATE");
        click(By.id("save-property"));
        assertThat(text(By.cssSelector("tr[data-property='birthday']"))).contains("Birthday").contains("Date");
        type("key", "birthday");
        click(By.id("save-property"));
        assertThat(text(By.cssSelector(".problem"))).isEqualTo("The property birthday already exists.");

        click(By.id("subnav-contacts"));
        type("email", "Ann@Example.COM");
        type("name", "Ann");
        browser.findElement(By.id("prop_birthday")).sendKeys("03152001");
        click(By.id("create-contact"));
        assertThat(text(By.cssSelector(".notice"))).isEqualTo("Contact Ann@example.com added.");
        assertThat(text(By.cssSelector("#contacts tr[data-email='Ann@example.com']"))).contains("2001-03-15");
        type("email", "Ann@example.com");
        click(By.id("create-contact"));
        // The refusal sits beside the address field, which is marked; the form's summary says one field needs a look.
        assertThat(text(By.id("email-error"))).isEqualTo("A contact with the address Ann@example.com already exists.");
        assertThat(attribute(By.id("email"), "aria-invalid")).isEqualTo("true");
        assertThat(text(By.id("form-errors"))).isEqualTo("One field needs a correction: its error is beside it.");

        click(By.cssSelector("#contacts tr[data-email='Ann@example.com'] .contact-link"));
        assertThat(text(By.id("contact-email"))).isEqualTo("Ann@example.com");
        assertThat(browser.findElement(By.id("prop_birthday")).getDomProperty("value")).isEqualTo("2001-03-15");
        new Select(browser.findElement(By.id("status"))).selectByValue("UNSUBSCRIBED");
        type("name", "Ann Lee");
        click(By.id("save-contact"));
        assertThat(text(By.cssSelector(".notice"))).isEqualTo("Contact Ann@example.com saved.");
        assertThat(new Select(browser.findElement(By.id("status"))).getFirstSelectedOption().getText())
                .isEqualTo("Unsubscribed");
        Chromium.screenshot(browser, "contacts-11-contact-edit");
        click(By.id("delete-contact"));
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent()).accept();
        awaitText(By.cssSelector(".notice"), "Contact Ann@example.com deleted.");
        assertThat(browser.findElements(By.cssSelector("#contacts tr.contact"))).isEmpty();

        click(By.id("subnav-suppressions"));
        type("email", "nomail@example.com");
        type("detail", "asked by phone");
        click(By.id("add-suppression-submit"));
        assertThat(text(By.cssSelector("#suppressions tr[data-email='nomail@example.com']")))
                .contains("Added by hand").contains("asked by phone");
        Chromium.screenshot(browser, "contacts-12-suppressions");
        click(By.cssSelector("#suppressions tr[data-email='nomail@example.com'] .remove-suppression"));
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent()).accept();
        awaitText(By.cssSelector(".notice"), "nomail@example.com removed from the suppression list.");
        assertThat(browser.findElements(By.id("no-suppressions"))).hasSize(1);
    }

    private String ownerOf(Master master) {
        return ownerOf(master, PASSWORD);
    }

    private void signIn(String email) {
        signIn(email, PASSWORD);
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(ExpectedConditions.urlContains("/home"));
    }

    /** The role chosen for a column of the mapping step. */
    private String selected(String header) {
        return new Select(browser.findElement(By.cssSelector("tr[data-header='" + header + "'] select")))
                .getFirstSelectedOption().getDomAttribute("value");
    }

    /** Fetches a link of the page with the browser's session, as a download would. */
    private String fetch(String url) {
        Object body = browser.executeAsyncScript("""
                var done = arguments[arguments.length - 1];
                fetch(arguments[0]).then(function (r) {
                    return r.text().then(function (t) { done(r.status + ' ' + r.headers.get('content-type') + '\\n' + t); });
                }).catch(function (e) { done('ERROR ' + e); });""", url);
        String text = String.valueOf(body);
        assertThat(text).startsWith("200 text/csv");
        return text.substring(text.indexOf('\n') + 1);
    }

    /** Waits for a text after a submission confirmed in a dialog, which navigates a moment later. */
    private void awaitText(By by, String expected) {
        new WebDriverWait(browser, Duration.ofSeconds(5)).ignoring(StaleElementReferenceException.class)
                .until(d -> expected.equals(d.findElement(by).getText().strip()));
    }
}
