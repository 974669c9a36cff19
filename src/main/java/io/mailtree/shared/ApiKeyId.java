package io.mailtree.shared;

import java.util.Objects;
import java.util.UUID;

/** Identifies an API key; every message sent is tied to one. */
public record ApiKeyId(@com.fasterxml.jackson.annotation.JsonValue UUID value) {

    public ApiKeyId {
        Objects.requireNonNull(value, "api key id");
    }

    public static ApiKeyId random() {
        return new ApiKeyId(UUID.randomUUID());
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
