package io.mailtree.browser;

import io.mailtree.support.MailtreeTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/** What every browser test does: a fresh headless Chromium per test, and the few gestures a person makes. */
abstract class BrowserTestSupport extends MailtreeTestBase {

    protected ChromeDriver browser;

    @BeforeEach
    void startBrowser() throws Exception {
        browser = Chromium.start();
    }

    @AfterEach
    void quitBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    /** Fills and submits the sign-in form; callers check where it led. */
    protected void signIn(String email, String password) {
        open("/login");
        type("email", email);
        type("password", password);
        submit(By.id("sign-in"));
    }

    protected void open(String path) {
        browser.get("http://127.0.0.1:" + port + path);
    }

    protected void type(String id, String value) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(value);
    }

    /**
     * Chooses a file in a file input and waits until the page holds it. The driver hands the file
     * over asynchronously; on a loaded machine a submit clicked at once met an empty, required input,
     * the browser refused to send the form, and the page never left.
     */
    protected void chooseFile(By input, java.nio.file.Path file) {
        browser.findElement(input).sendKeys(file.toAbsolutePath().toString());
        String name = file.getFileName().toString();
        new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(10)).until(d -> name.equals(
                ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                        "var f = arguments[0].files; return f.length === 1 ? f[0].name : null;", d.findElement(input))));
    }

    protected void click(By by) {
        browser.findElement(by).click();
    }

    /**
     * Clicks something that leads to another page and waits until that page has replaced this one. A click
     * can return before the browser has even started the navigation, so reading the address right after
     * {@link #click} may still show the old page.
     */
    protected void submit(By by) {
        WebElement page = browser.findElement(By.tagName("html"));
        browser.findElement(by).click();
        new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(20))
                .until(org.openqa.selenium.support.ui.ExpectedConditions.stalenessOf(page));
        new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(20)).until(d ->
                "complete".equals(((org.openqa.selenium.JavascriptExecutor) d).executeScript("return document.readyState")));
    }

    protected String text(By by) {
        return Chromium.text(browser, by);
    }

    protected String attribute(By by, String name) {
        return browser.findElement(by).getDomAttribute(name);
    }

    /** Waits up to 10 seconds for {@code condition}. */
    protected void waitFor(org.openqa.selenium.support.ui.ExpectedCondition<?> condition) {
        new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(10)).until(condition);
    }

    /** From a signed-in page: opens the keys page and submits the new-key form for {@code accountId}. */
    protected void createKeyOnKeysPage(String accountId, String name, String label) {
        click(By.id("nav-keys"));
        waitFor(org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated(By.id("new-key")));
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("new-key-account"))).selectByValue(accountId);
        type("new-key-name", name);
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("new-key-label"))).selectByValue(label);
        click(By.id("create-key"));
    }
}
