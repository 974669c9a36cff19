package io.mailtree.access;

import io.mailtree.shared.UserId;
import java.io.Serializable;

/**
 * What a web session remembers of a signed-in user: only the id. Everything else (account status,
 * permissions) is read again on each request, so changes take effect at once (D-12, D-24).
 */
public record SignedInUser(UserId userId, String email) implements Serializable {
}
