package io.mailtree.shared.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.Cookie;
import java.text.NumberFormat;
import java.time.ZoneId;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.mock.web.MockHttpServletRequest;

class ViewFormatTests {

    private final ViewFormat format = new ViewFormat();

    @AfterEach
    void resetLocale() {
        LocaleContextHolder.resetLocaleContext();
    }

    @Test
    void numbersInANameFollowTheLanguageAsEveryOtherNumber() {
        LocaleContextHolder.setLocale(Locale.FRENCH);
        String thousand = NumberFormat.getIntegerInstance(Locale.FRENCH).format(1000);
        assertThat(format.numbersIn("Lite 1,000")).isEqualTo("Lite " + thousand).isEqualTo("Lite " + format.number(1000));
        assertThat(format.numbersIn("Pro 100,000")).isEqualTo("Pro " + format.number(100_000));
        // Numbers without separators, and names without numbers, stay as the operator wrote them.
        assertThat(format.numbersIn("Volume 15k")).isEqualTo("Volume 15k");
        assertThat(format.numbersIn("Lite 500")).isEqualTo("Lite 500");
        assertThat(format.numbersIn("Enterprise")).isEqualTo("Enterprise");
        assertThat(format.numbersIn("Version 1.2,345")).isEqualTo("Version 1.2,345");
        assertThat(format.numbersIn(null)).isEmpty();
        LocaleContextHolder.setLocale(Locale.ENGLISH);
        assertThat(format.numbersIn("Lite 1,000")).isEqualTo("Lite 1,000");
    }

    @Test
    void theZoneIsTheBrowsersCookieOrUtc() {
        MockHttpServletRequest request = new MockHttpServletRequest();
        assertThat(ViewFormat.zoneOf(request)).isEqualTo(ZoneId.of("UTC"));
        request.setCookies(new Cookie(ViewFormat.ZONE_COOKIE, "Europe%2FParis"));
        assertThat(ViewFormat.zoneOf(request)).isEqualTo(ZoneId.of("Europe/Paris"));
        request.setCookies(new Cookie(ViewFormat.ZONE_COOKIE, "Mars%2FOlympus"));
        assertThat(ViewFormat.zoneOf(request)).isEqualTo(ZoneId.of("UTC"));
        request.setCookies(new Cookie(ViewFormat.ZONE_COOKIE, "%"));
        assertThat(ViewFormat.zoneOf(request)).isEqualTo(ZoneId.of("UTC"));
    }
}
