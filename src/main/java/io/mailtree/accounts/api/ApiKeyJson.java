package io.mailtree.accounts.api;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** An API key as returned at creation: the only time {@code secret} is ever shown. */
@Schema(name = "IssuedApiKey")
public record ApiKeyJson(
        String id,
        @Schema(description = "Public key: the HTTP Basic user name and SMTP user name") String publicKey,
        @Schema(description = "Secret, shown once; store it now. Mailtree keeps only its SHA-256 hash") String secret,
        String name,
        boolean primary,
        Instant createdAt) {
}
