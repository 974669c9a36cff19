package io.mailtree.access;

import org.springframework.security.core.Authentication;

/**
 * A sign-in halfway: the password was right and two-factor sign-in is on, so the session may reach
 * only the code page until a code completes it (ADR 0019).
 */
public final class TwoFactorPending {

    public static final String ROLE = "ROLE_TWO_FACTOR_PENDING";

    private TwoFactorPending() {
    }

    public static boolean is(Authentication authentication) {
        return authentication != null
                && authentication.getAuthorities().stream().anyMatch(a -> ROLE.equals(a.getAuthority()));
    }
}
