package io.mailtree.keys;

import io.mailtree.shared.DomainProblem;
import java.util.Locale;

/**
 * What a key sends (D-17): {@link #TRANSACTIONAL} mail a person is waiting for (receipts, password
 * resets, alerts) or {@link #MARKETING} mail sent to lists. Every key has one; the key an account is
 * created with (primary or secondary, D-16) is {@code TRANSACTIONAL}, since it is what the account's
 * application sends its own mail with until someone labels a key otherwise. Delivery reads the labels
 * ({@link ApiKeys#labelsOf}) to serve transactional keys first (D-20).
 */
public enum KeyLabel {
    TRANSACTIONAL, MARKETING;

    public static final String UNKNOWN_CODE = "unknown_key_label";

    /** The label named by {@code text} (case-insensitive), or {@code fallback} when it is blank. */
    public static KeyLabel parse(String text, KeyLabel fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            throw DomainProblem.invalid(UNKNOWN_CODE, "the label must be TRANSACTIONAL or MARKETING")
                    .with("label", text.length() > 40 ? text.substring(0, 40) : text);
        }
    }
}
