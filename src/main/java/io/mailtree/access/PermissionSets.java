package io.mailtree.access;

import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Permission sets as stored (comma-separated names) and as received from forms and the API. */
public final class PermissionSets {

    private PermissionSets() {
    }

    static Set<Permission> parseStored(String text) {
        if (text == null || text.isBlank()) {
            return EnumSet.noneOf(Permission.class);
        }
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(Permission::valueOf)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Permission.class)));
    }

    static String stored(Set<Permission> permissions) {
        return permissions.stream().map(Enum::name).sorted().collect(Collectors.joining(","));
    }

    /**
     * The permissions named by a client, starting from an optional preset.
     *
     * @throws DomainProblem {@code unknown_permission} or {@code unknown_preset} for a name that is not one
     */
    public static Set<Permission> fromNames(String preset, Collection<String> names) {
        Set<Permission> result = EnumSet.noneOf(Permission.class);
        if (preset != null && !preset.isBlank()) {
            try {
                result.addAll(PermissionPreset.valueOf(preset.strip().toUpperCase(Locale.ROOT)).permissions());
            } catch (IllegalArgumentException unknown) {
                throw DomainProblem.invalid("unknown_preset", "no such preset: " + shorten(preset), shorten(preset))
                        .with("field", "preset");
            }
        }
        if (names != null) {
            for (String name : names) {
                if (name == null || name.isBlank()) {
                    continue;
                }
                try {
                    result.add(Permission.valueOf(name.strip().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException unknown) {
                    throw DomainProblem.invalid("unknown_permission", "no such permission: " + shorten(name),
                            shorten(name)).with("field", "permissions");
                }
            }
        }
        return result;
    }

    private static String shorten(String text) {
        return text.length() > 40 ? text.substring(0, 40) : text;
    }
}
