package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** The import page refuses a PDF renamed .csv at the first step, with a message in the page's language. */
class ImportFileTypeBrowserIntegrationTests extends BrowserTestSupport {

    @Test
    @DisplayName("A PDF renamed .csv is refused at upload with a French message on the French page")
    void pdfNamedCsvIsRefusedAtUploadInThePageLanguage() throws Exception {
        Master master = master("pro-5000");
        String password = "import-type-password";
        signIn(ownerOf(master, password), password);
        text(By.id("current-account"));
        Path pdf = Files.createTempFile("mailtree-not-a-csv-", ".csv");
        Files.write(pdf, "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".getBytes());

        open("/imports/new?lang=fr");
        chooseFile(By.id("file"), pdf);
        click(By.id("upload-submit"));
        assertThat(text(By.cssSelector(".problem"))).startsWith("Ce fichier est un fichier PDF, pas un fichier CSV.");
        assertThat(browser.getCurrentUrl()).doesNotContain("/imports/mapping");
        Chromium.screenshot(browser, "import-refused-pdf-fr");
        open("/imports/new?lang=en");
    }
}
