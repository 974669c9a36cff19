package io.mailtree.shared;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The named arguments of a refusal (the numbers and names its sentence states, such as
 * {@code requested} and {@code available}), as a share result or an import job keeps them beside
 * the problem's code. A page states the refusal in its own language from these values through
 * {@code messages*.properties}; the English message is never read back, so rewording it cannot
 * break another language.
 */
public final class RefusalArguments {

    /** Names a form input (which field to mark), not a value of the sentence. */
    private static final String FIELD = "field";

    private RefusalArguments() {
    }

    /**
     * The problem's named numbers and texts, in the order they were given; empty when it has none.
     * Only numbers and strings are kept, so the map survives a JSON round trip unchanged.
     */
    public static Map<String, Object> of(DomainProblem problem) {
        Map<String, Object> arguments = new LinkedHashMap<>();
        problem.properties().forEach((name, value) -> {
            if (!FIELD.equals(name) && (value instanceof Number || value instanceof String)) {
                arguments.put(name, value);
            }
        });
        return Collections.unmodifiableMap(arguments);
    }

    /**
     * The values of {@code names}, in that order, as a message's {@code {0}}, {@code {1}}, …; null
     * when one is missing (a refusal recorded before its arguments were kept), so the page can fall
     * back to the stored message rather than show a sentence with a hole in it.
     */
    public static Object[] positional(Map<String, Object> arguments, String... names) {
        Object[] values = new Object[names.length];
        for (int i = 0; i < names.length; i++) {
            Object value = arguments == null ? null : arguments.get(names[i]);
            if (value == null) {
                return null;
            }
            values[i] = value;
        }
        return values;
    }
}
