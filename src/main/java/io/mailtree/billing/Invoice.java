package io.mailtree.billing;

import io.mailtree.shared.AccountId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * An issued invoice or credit note: never changed once issued (a correction is a credit note, which
 * reverses it with its own number of the same series). Amounts are in minor units of
 * {@code currency}; the total is the lines' sum plus the tax on it.
 */
public record Invoice(long id, AccountId master, long seq, String number, Kind kind, Long correctsId,
        BillingPeriod period, String masterName, String planCode, String currency, long subtotalMinor,
        BigDecimal taxRate, long taxMinor, long totalMinor, String reason, Instant issuedAt, List<Line> lines) {

    public enum Kind { INVOICE, CREDIT_NOTE }

    /**
     * One line: the subscription's fee (no account), or one account of the tree with the e-mails it
     * sent in the period and its contacts allowance (CONTACTS plans).
     */
    public record Line(int lineNo, AccountId account, String description, long emailsSent, Long contactsAllowance,
            long amountMinor) {
    }

    public long emailsSent() {
        return lines.stream().mapToLong(Line::emailsSent).sum();
    }

    /** The amount as a decimal of the currency (2 decimals), for display. */
    public static BigDecimal major(long minor) {
        return BigDecimal.valueOf(minor, 2);
    }
}
