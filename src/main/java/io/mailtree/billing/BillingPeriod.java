package io.mailtree.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A billing period: a calendar month in UTC. Every subscription renews on the first day of the next
 * month, so the current period is known from the clock alone and the accept path never has to read
 * it (ADR 0028).
 */
public record BillingPeriod(LocalDate start) {

    private static final DateTimeFormatter KEY = DateTimeFormatter.ofPattern("yyyy-MM");

    public BillingPeriod {
        if (start.getDayOfMonth() != 1) {
            throw new IllegalArgumentException("a period starts on the first of a month");
        }
    }

    public static BillingPeriod of(Instant at) {
        return new BillingPeriod(LocalDate.ofInstant(at, ZoneOffset.UTC).withDayOfMonth(1));
    }

    /** A period named like {@code 2026-11}, or null when the text is not one. */
    public static BillingPeriod parse(String key) {
        if (key == null || !key.matches("\\d{4}-\\d{2}")) {
            return null;
        }
        int month = Integer.parseInt(key.substring(5));
        if (month < 1 || month > 12) {
            return null;
        }
        return new BillingPeriod(LocalDate.of(Integer.parseInt(key.substring(0, 4)), month, 1));
    }

    /** The first day after the period: the renewal date. */
    public LocalDate end() {
        return start.plusMonths(1);
    }

    public BillingPeriod next() {
        return new BillingPeriod(end());
    }

    public BillingPeriod previous() {
        return new BillingPeriod(start.minusMonths(1));
    }

    public String key() {
        return KEY.format(start);
    }

    @Override
    public String toString() {
        return key();
    }
}
