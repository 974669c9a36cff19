package io.mailtree.content;

import java.time.Instant;

/** A reusable e-mail layout: subject, HTML and plain-text bodies with personalisation variables. */
public record Template(long id, String name, String subject, String html, String text, Instant createdAt,
        Instant updatedAt) {
}
