package io.mailtree.shared;

import java.util.List;
import java.util.Map;

/**
 * Every field of one request that was refused, reported together so a person (or an API client)
 * corrects them all in one go instead of discovering them one answer at a time.
 * <p>It reads as the first refusal (its {@code code}, status, message, arguments and {@code field}),
 * so clients and pages that know only single refusals keep working; {@link #errors()} holds all of
 * them, which the API renders as the problem's {@code errors} list and pages show beside each field.
 * The status is the refusals' common status, or 400 when they differ.
 */
public final class InvalidFields extends DomainProblem {

    /** One refused field: the field's name in the request and the refusal. */
    public record FieldProblem(String field, DomainProblem problem) {
    }

    private final transient List<FieldProblem> errors;

    InvalidFields(List<FieldProblem> errors) {
        super(status(errors), errors.get(0).problem().code(), errors.get(0).problem().getMessage(),
                errors.get(0).problem().arguments());
        this.errors = List.copyOf(errors);
        DomainProblem first = errors.get(0).problem();
        first.properties().forEach(this::with);
        with("field", errors.get(0).field());
    }

    public List<FieldProblem> errors() {
        return errors;
    }

    /** The refusal's members other than its field, such as the limits it names. */
    public static Map<String, Object> extras(DomainProblem problem) {
        Map<String, Object> extras = new java.util.LinkedHashMap<>(problem.properties());
        extras.remove("field");
        extras.remove("errors");
        return extras;
    }

    private static int status(List<FieldProblem> errors) {
        int first = errors.get(0).problem().status();
        return errors.stream().allMatch(e -> e.problem().status() == first) ? first : 400;
    }
}
