package io.mailtree.shared.web;

import java.text.NumberFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;

/** Formatting for pages ({@code ${@fmt.date(x)}}), in the reader's language and in UTC. */
@Component("fmt")
public class ViewFormat {

    public String date(Instant instant) {
        return instant == null ? "" : DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM)
                .withLocale(LocaleContextHolder.getLocale()).withZone(ZoneOffset.UTC).format(instant);
    }

    public String dateTime(Instant instant) {
        return instant == null ? "" : DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM)
                .withLocale(LocaleContextHolder.getLocale()).withZone(ZoneOffset.UTC).format(instant) + " UTC";
    }

    public String number(Number value) {
        return value == null ? "" : NumberFormat.getIntegerInstance(LocaleContextHolder.getLocale()).format(value);
    }

    /** A share of {@code whole} as a CSS percentage, for the allowance bar. */
    public String percent(Number part, Number whole) {
        if (part == null || whole == null || whole.doubleValue() <= 0) {
            return "0%";
        }
        double share = Math.max(0, Math.min(100, part.doubleValue() * 100 / whole.doubleValue()));
        return String.format(java.util.Locale.ROOT, "%.2f%%", share);
    }
}
