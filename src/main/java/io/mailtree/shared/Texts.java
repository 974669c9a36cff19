package io.mailtree.shared;

/** Validation of short human-entered texts such as names, shared by forms and the API. */
public final class Texts {

    private Texts() {
    }

    /**
     * Trims and checks a display name: 1 to {@code max} characters, no control characters.
     *
     * @throws DomainProblem {@code invalid_name} otherwise
     */
    public static String name(String raw, int max) {
        String value = raw == null ? "" : raw.strip();
        if (value.isEmpty()) {
            throw DomainProblem.invalid("invalid_name", "name must not be empty").with("field", "name");
        }
        if (value.codePointCount(0, value.length()) > max) {
            throw new DomainProblem(400, "invalid_name", "name must be at most " + max + " characters", max)
                    .with("field", "name");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw DomainProblem.invalid("invalid_name", "name must not contain control characters")
                    .with("field", "name");
        }
        return value;
    }
}
