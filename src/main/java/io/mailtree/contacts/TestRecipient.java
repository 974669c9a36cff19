package io.mailtree.contacts;

import java.time.Instant;

/** An address that receives test sends of an e-mail ("受信テスター"). */
public record TestRecipient(long id, String email, String name, Instant createdAt) {
}
