package io.mailtree.content;

/**
 * Where an e-mail stands. INCOMPLETE while a required part is missing, then DRAFT; sending (a later
 * issue) moves it through SCHEDULED and SENDING to SENT, or CANCELLED.
 */
public enum EmailStatus {
    INCOMPLETE, DRAFT, SCHEDULED, SENDING, SENT, CANCELLED;

    public boolean isEditable() {
        return this == INCOMPLETE || this == DRAFT;
    }
}
