package io.mailtree.contacts;

/** The types a custom contact property can have. */
public enum PropertyType {
    TEXT, NUMBER, DATE, BOOLEAN
}
