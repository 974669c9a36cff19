package io.mailtree.access;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.Permission;
import io.mailtree.shared.UserId;
import java.time.Instant;
import java.util.Set;

/** A person who signs in to one account. */
public record User(UserId id, AccountId accountId, String email, String passwordHash, UserRole role,
        Set<Permission> permissions, Instant emailVerifiedAt, Instant passwordChangedAt) {

    public boolean isVerified() {
        return emailVerifiedAt != null;
    }

    /** An owner always holds every permission, whatever is stored. */
    public Set<Permission> effectivePermissions() {
        return role == UserRole.OWNER ? Permission.all() : permissions;
    }
}
