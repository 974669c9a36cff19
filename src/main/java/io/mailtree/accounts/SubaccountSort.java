package io.mailtree.accounts;

import java.util.Locale;

/**
 * The orders of the sub-accounts list, each over a column of the account table (the figures other
 * modules own, such as e-mails this month, are not sortable: ADR 0011 keeps their tables apart).
 */
public enum SubaccountSort {
    NAME("name_key"), STATUS("status"), CONTACTS("own_active_contacts"), ALLOCATION("contact_allocation"),
    LAST_SEND("last_send_at"), CREATED("created_at");

    final String column;

    SubaccountSort(String column) {
        this.column = column;
    }

    /** The sort a request names ({@code name}, {@code last_send}, …), the name order for anything else. */
    public static SubaccountSort parse(String text) {
        if (text != null) {
            for (SubaccountSort sort : values()) {
                if (sort.name().equalsIgnoreCase(text.strip())) {
                    return sort;
                }
            }
        }
        return NAME;
    }

    /** How a link names it. */
    public String param() {
        return name().toLowerCase(Locale.ROOT);
    }
}
