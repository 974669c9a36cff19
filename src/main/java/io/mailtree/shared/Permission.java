package io.mailtree.shared;

import java.util.EnumSet;
import java.util.Set;

/**
 * The named rights of D-23. Every page and endpoint declares the one it needs with
 * {@link RequiresPermission}; an account owner holds them all.
 */
public enum Permission {
    CONTACTS, CONTENT, CAMPAIGNS, STATISTICS, API_KEYS, ACCOUNT_SETTINGS, BILLING, SUBACCOUNTS, USERS;

    public static Set<Permission> all() {
        return EnumSet.allOf(Permission.class);
    }
}
