package io.mailtree.content.web;

import io.mailtree.shared.Ids;
import java.util.Set;

/** Ids taken from paths and forms: anything that is not one answers 404, never 500. */
final class PageIds {

    /** Codes an upload refused before any controller ran comes back with ({@code ?error=}); anything else is ignored. */
    private static final Set<String> UPLOAD_ERRORS = Set.of("payload_too_large", "malformed_multipart");

    private PageIds() {
    }

    /** Forms and query strings may carry spaces around an id; the page forgives them. */
    static long parse(String text, String code, String what) {
        return Ids.positive(text == null ? null : text.strip(), code, what);
    }

    /** An optional id of a select: blank means none. */
    static Long optional(String text, String code, String what) {
        return text == null || text.isBlank() ? null : parse(text, code, what);
    }

    /**
     * A textarea as browsers post it (CRLF line breaks) with the line breaks the page shows (LF),
     * so a syntax error's line and column point where the person sees them.
     */
    static String lines(String text) {
        return text == null ? null : text.replace("\r\n", "\n");
    }

    /** The upload refusal named in {@code ?error=}, when it is one, for the flash fragment. */
    static String uploadError(String error) {
        return error != null && UPLOAD_ERRORS.contains(error) ? error : null;
    }
}
