package io.mailtree.shared.web;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.NumberFormat;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Formatting for pages ({@code ${@fmt.date(x)}}), in the reader's language and time zone.
 *
 * <p>The time zone is the browser's: {@code mailtree.js} puts the zone the browser reports
 * ({@code Intl.DateTimeFormat().resolvedOptions().timeZone}) in the {@value #ZONE_COOKIE} cookie, and
 * pages format times in it, with the zone's name beside them. Chosen over an account or user setting
 * because it is right without anybody keeping it right: collaborators of one account in Paris and in
 * Tokyo each read their own clock, a person who travels reads the clock of the screen in front of
 * them, and there is no setting to forget when a master is created by the operator's API. Until the
 * browser has said (the very first page, a client without scripts) times are UTC, named so.
 */
@Component("fmt")
public class ViewFormat {

    /** The cookie holding the browser's IANA time zone, such as {@code Europe/Paris}. */
    public static final String ZONE_COOKIE = "mt_tz";

    /** UTC as a region, so its name prints "UTC" (an offset would print "Z"). */
    private static final ZoneId UTC = ZoneId.of("UTC");

    /** A number written with English thousands separators inside a name, such as the 1,000 of "Lite 1,000". */
    private static final Pattern GROUPED_NUMBER = Pattern.compile("(?<![\\d.,])\\d{1,3}(?:,\\d{3})+(?![\\d,])");

    public String date(Instant instant) {
        return instant == null ? "" : DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM)
                .withLocale(LocaleContextHolder.getLocale()).withZone(zone()).format(instant);
    }

    public String dateTime(Instant instant) {
        if (instant == null) {
            return "";
        }
        Locale locale = LocaleContextHolder.getLocale();
        ZoneId zone = zone();
        // Seconds, not nanoseconds; the zone's short name (CET, JST, UTC) so a time is never ambiguous.
        return DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM).withLocale(locale).withZone(zone)
                .format(instant) + " " + DateTimeFormatter.ofPattern("zzz", locale).withZone(zone).format(instant);
    }

    public String number(Number value) {
        return value == null ? "" : NumberFormat.getIntegerInstance(LocaleContextHolder.getLocale()).format(value);
    }

    /**
     * A name with its numbers in the reader's language: the plan catalog's names are the operator's
     * data, written once ("Lite 1,000"), and read as "Lite 1 000" in French, as every other number of
     * the pages is. Numbers without thousands separators ("Volume 15k", "Lite 500") stay as they are.
     */
    public String numbersIn(String name) {
        if (name == null) {
            return "";
        }
        NumberFormat format = NumberFormat.getIntegerInstance(LocaleContextHolder.getLocale());
        Matcher matcher = GROUPED_NUMBER.matcher(name);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            long value = Long.parseLong(matcher.group().replace(",", ""));
            matcher.appendReplacement(out, Matcher.quoteReplacement(format.format(value)));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** A share of {@code whole} as a CSS percentage, for the allowance bar. */
    public String percent(Number part, Number whole) {
        if (part == null || whole == null || whole.doubleValue() <= 0) {
            return "0%";
        }
        double share = Math.max(0, Math.min(100, part.doubleValue() * 100 / whole.doubleValue()));
        return String.format(java.util.Locale.ROOT, "%.2f%%", share);
    }

    /** The reader's time zone: the browser's, from its cookie, or UTC when it is absent or not a zone. */
    public ZoneId zone() {
        if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes)) {
            return UTC;
        }
        return zoneOf(attributes.getRequest());
    }

    static ZoneId zoneOf(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return UTC;
        }
        for (Cookie cookie : cookies) {
            if (ZONE_COOKIE.equals(cookie.getName()) && cookie.getValue() != null && cookie.getValue().length() <= 80) {
                try {
                    return ZoneId.of(URLDecoder.decode(cookie.getValue(), StandardCharsets.UTF_8));
                } catch (DateTimeException | IllegalArgumentException notAZone) {
                    return UTC;
                }
            }
        }
        return UTC;
    }
}
