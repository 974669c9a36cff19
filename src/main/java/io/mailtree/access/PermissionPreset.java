package io.mailtree.access;

import io.mailtree.shared.Permission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Starting points for a collaborator's rights (D-23): the inviter picks one and may then add or
 * remove single permissions for that person. The permissions of D-23 have no read/write split, so
 * "Read-only" grants the reports ({@code STATISTICS}) and nothing that changes data.
 */
public enum PermissionPreset {
    ADMINISTRATOR(EnumSet.allOf(Permission.class)),
    MARKETER(EnumSet.of(Permission.CONTACTS, Permission.CONTENT, Permission.CAMPAIGNS, Permission.STATISTICS)),
    DESIGNER(EnumSet.of(Permission.CONTENT)),
    DEVELOPER(EnumSet.of(Permission.API_KEYS, Permission.STATISTICS)),
    ACCOUNTANT(EnumSet.of(Permission.BILLING, Permission.STATISTICS)),
    READ_ONLY(EnumSet.of(Permission.STATISTICS));

    private final Set<Permission> permissions;

    PermissionPreset(Set<Permission> permissions) {
        this.permissions = permissions;
    }

    public Set<Permission> permissions() {
        return EnumSet.copyOf(permissions);
    }
}
