package io.mailtree.contacts;

/** Only a subscribed contact is active for the allowance (D-7). */
public enum ContactStatus {
    SUBSCRIBED, UNSUBSCRIBED, BOUNCED, COMPLAINED;

    public boolean isActive() {
        return this == SUBSCRIBED;
    }

    public static ContactStatus parse(String text) {
        if (text == null) {
            return SUBSCRIBED;
        }
        for (ContactStatus status : values()) {
            if (status.name().equalsIgnoreCase(text.strip())) {
                return status;
            }
        }
        throw io.mailtree.shared.DomainProblem.invalid("invalid_status",
                "status must be one of SUBSCRIBED, UNSUBSCRIBED, BOUNCED, COMPLAINED").with("field", "status");
    }
}
