package io.mailtree.content;

/** A regular e-mail, or an A/B test of two or more variants. */
public enum EmailType {
    REGULAR, AB_TEST
}
