package io.mailtree.delivery;

import java.time.Instant;

/** An address an account sends from; usable once its owner confirmed it. */
public record Sender(long id, String email, String name, Instant verifiedAt, Instant createdAt) {

    public boolean isVerified() {
        return verifiedAt != null;
    }
}
