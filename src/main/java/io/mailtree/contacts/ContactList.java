package io.mailtree.contacts;

import java.time.Instant;

/** A list of contacts; a contact may be in many lists. {@code memberCount} is kept current. */
public record ContactList(long id, String name, int memberCount, Instant createdAt) {
}
