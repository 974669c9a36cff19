package io.mailtree.content;

import java.time.Instant;

/** A file attached to an e-mail (PDF or an office document), type checked from its bytes. */
public record Attachment(long id, String fileName, String contentType, long sizeBytes, String storageKey,
        Instant createdAt) {
}
