package io.mailtree.contacts;

/** A custom property an account defines for its contacts, such as {@code first_name} or {@code birthday}. */
public record ContactProperty(String key, String label, PropertyType type) {
}
