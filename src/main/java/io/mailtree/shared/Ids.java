package io.mailtree.shared;

import java.util.Optional;
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
}
