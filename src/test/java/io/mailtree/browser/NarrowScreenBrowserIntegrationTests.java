package io.mailtree.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The main pages on a 390 px wide phone screen in real headless Chromium: none scrolls sideways,
 * the account name and Sign out stay on screen, and the skip link is the first thing the keyboard
 * reaches. Screenshots of each page go to target/screenshots.
 */
class NarrowScreenBrowserIntegrationTests extends BrowserTestSupport {

    private static final List<String> MAIN_PAGES = List.of("/home", "/contacts", "/lists", "/imports", "/templates",
            "/emails", "/messages", "/statistics", "/senders", "/subaccounts", "/audit", "/keys", "/webhooks");

    @Test
    @DisplayName("At 390 px no main page scrolls sideways and the account name and Sign out stay reachable")
    void mainPagesFitA390PixelScreen() {
        Master master = master("pro-5000");
        createSubaccount(master.api(), "Narrow screen sub-account with a rather long name", uniqueEmail("narrow"),
                null, 100);
        String password = "narrow-screen-password";
        signIn(ownerOf(master, password), password);
        text(By.id("current-account"));
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 390, "height", 844, "deviceScaleFactor", 1, "mobile", true));

        List<String> tooWide = new ArrayList<>();
        for (String page : MAIN_PAGES) {
            open(page);
            text(By.cssSelector("main h1"));
            long innerWidth = number("return window.innerWidth");
            long scrollWidth = number("return document.documentElement.scrollWidth");
            assertThat(innerWidth).as("viewport width").isEqualTo(390);
            if (scrollWidth > innerWidth) {
                tooWide.add(page + " (" + scrollWidth + " px)");
            }
            for (String id : new String[] {"current-account", "sign-out"}) {
                WebElement element = browser.findElement(By.id(id));
                long right = number("var r = arguments[0].getBoundingClientRect(); return Math.ceil(r.right);", element);
                assertThat(element.isDisplayed()).as(id + " shown on " + page).isTrue();
                assertThat(right).as(id + " within the screen on " + page).isLessThanOrEqualTo(innerWidth);
            }
            Chromium.screenshot(browser, "narrow" + page.replace('/', '-'));
        }
        assertThat(tooWide).as("pages wider than the screen").isEmpty();
    }

    @Test
    @DisplayName("The first Tab reaches a visible skip link that moves focus to the page's content")
    void skipLinkIsFirstAndVisibleOnFocus() {
        Master master = master("pro-5000");
        String password = "skip-link-password";
        signIn(ownerOf(master, password), password);
        text(By.id("current-account"));
        browser.findElement(By.tagName("body")).sendKeys(Keys.TAB);
        WebElement focused = browser.switchTo().activeElement();
        assertThat(focused.getDomAttribute("class")).isEqualTo("skip-link");
        assertThat(focused.getText()).isEqualTo("Skip to the content");
        assertThat(number("return Math.round(arguments[0].getBoundingClientRect().top)", focused)).isGreaterThanOrEqualTo(0);
        assertThat(browser.executeScript("return getComputedStyle(arguments[0]).outlineStyle", focused)).isEqualTo("solid");
        focused.sendKeys(Keys.ENTER);
        assertThat(browser.switchTo().activeElement().getDomAttribute("id")).isEqualTo("main");
        open("/home?lang=fr");
        assertThat(browser.findElement(By.cssSelector(".skip-link")).getDomProperty("textContent")).isEqualTo("Aller au contenu");
        open("/home?lang=en");
    }

    private long number(String script, Object... args) {
        return ((Number) browser.executeScript(script, args)).longValue();
    }
}
