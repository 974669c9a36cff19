package io.mailtree.access.internal;

import io.mailtree.shared.Caller;
import jakarta.servlet.http.HttpServletRequest;

/** Where the resolved {@link Caller} of a request is kept for controllers and views. */
final class CallerAttribute {

    static final String NAME = Caller.class.getName();

    private CallerAttribute() {
    }

    static Caller of(HttpServletRequest request) {
        return (Caller) request.getAttribute(NAME);
    }
}
