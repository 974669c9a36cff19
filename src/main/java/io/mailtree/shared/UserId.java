package io.mailtree.shared;

import java.util.Objects;
import java.util.UUID;

/** Identifies a person who signs in to an account (owner or collaborator). */
public record UserId(@com.fasterxml.jackson.annotation.JsonValue UUID value) {

    public UserId {
        Objects.requireNonNull(value, "user id");
    }

    public static UserId random() {
        return new UserId(UUID.randomUUID());
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
