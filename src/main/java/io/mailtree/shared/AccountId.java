package io.mailtree.shared;

import java.util.Objects;
import java.util.UUID;

/** Identifies an account (master or sub-account) across modules. */
public record AccountId(@com.fasterxml.jackson.annotation.JsonValue UUID value) {

    public AccountId {
        Objects.requireNonNull(value, "account id");
    }

    public static AccountId random() {
        return new AccountId(UUID.randomUUID());
    }

    /** Parses a client-supplied id; answers empty for anything that is not a UUID. */
    public static java.util.Optional<AccountId> parse(String text) {
        return Ids.parseUuid(text).map(AccountId::new);
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
