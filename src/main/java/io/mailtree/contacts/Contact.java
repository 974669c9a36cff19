package io.mailtree.contacts;

import java.time.Instant;
import java.util.Map;

/** A contact of one account; its address is unique in that account. */
public record Contact(long id, String email, String name, ContactStatus status, Map<String, Object> properties,
        Instant createdAt, Instant updatedAt) {
}
