package io.mailtree.shared;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refusal stated as a fact, with a stable {@code code} that API clients can rely on and the
 * numbers a person needs to understand it. Rendered as RFC 9457 problem details on the API and as
 * a translated message ({@code problem.<code>} with {@link #arguments()}) on pages.
 */
public class DomainProblem extends RuntimeException {

    private final String code;
    private final int status;
    private final Object[] arguments;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public DomainProblem(int status, String code, String message, Object... arguments) {
        super(message);
        this.status = status;
        this.code = code;
        this.arguments = arguments;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    public Object[] arguments() {
        return arguments.clone();
    }

    /** Extra members of the problem document, such as the requested and available numbers. */
    public Map<String, Object> properties() {
        return properties;
    }

    public DomainProblem with(String name, Object value) {
        properties.put(name, value);
        return this;
    }

    public static DomainProblem notFound(String code, String what) {
        return new DomainProblem(404, code, what + " not found");
    }

    public static DomainProblem invalid(String code, String message, Object... arguments) {
        return new DomainProblem(400, code, message, arguments);
    }

    public static DomainProblem forbidden(String code, String message, Object... arguments) {
        return new DomainProblem(403, code, message, arguments);
    }

    public static DomainProblem conflict(String code, String message, Object... arguments) {
        return new DomainProblem(409, code, message, arguments);
    }
}
