package io.mailtree.shared;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/** Parsing of client-supplied identifiers, which must never raise a server error. */
public final class Ids {

    private Ids() {
    }

    public static Optional<UUID> parseUuid(String text) {
        if (text == null || text.length() != 36) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException notUuid) {
            return Optional.empty();
        }
    }

    /**
     * A positive whole number such as a row id, exactly as {@link Long#parseLong(String)} reads it
     * (no surrounding spaces); empty for null, zero, a negative, a number too large or anything else.
     */
    public static OptionalLong parsePositive(String text) {
        if (text == null) {
            return OptionalLong.empty();
        }
        try {
            long id = Long.parseLong(text);
            return id > 0 ? OptionalLong.of(id) : OptionalLong.empty();
        } catch (NumberFormatException notNumber) {
            return OptionalLong.empty();
        }
    }

    /**
     * The positive id in {@code text}, or a 404 {@link DomainProblem} with {@code code} naming
     * {@code what}: an id that cannot exist is answered like one that does not, never with a 500.
     */
    public static long positive(String text, String code, String what) {
        return parsePositive(text).orElseThrow(() -> DomainProblem.notFound(code, what));
    }
}
