package io.mailtree.shared.web;

import java.io.Serializable;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.InvalidFields;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The errors of one submitted form, each tied to its field, so that a page shows every error at
 * once beside its field (the {@code fragments :: fieldError} fragment) and marks the field
 * ({@link #invalid}, {@link #describedBy}). Put in the model as {@code fieldErrors}.
 * <p>A form's controller runs each field's check through {@link #check} (the same checks the
 * services run, so the rules stay in one place), re-renders the form when {@link #any()}, and
 * files a refusal of the service under its field with {@link #add(DomainProblem)}. A field is named
 * by its input's id; the error's element id is {@code <field>-error}.
 */
public final class FieldErrors implements Serializable {

    private static final long serialVersionUID = 1L;

    /** One field's error: a {@code problem.<code>} message with its arguments, or the fallback text. */
    public record FieldError(String field, String code, Object[] arguments, String fallback) implements Serializable {

        @Override
        public Object[] arguments() {
            return arguments.clone();
        }

        @Override
        public String toString() {
            return field + ": " + code + Arrays.toString(arguments);
        }
    }

    // Kept in a flash attribute across a redirect when a form posts from a page that lists things.
    private final LinkedHashMap<String, FieldError> byField = new LinkedHashMap<>();

    /** Runs {@code check}; a refusal it throws becomes {@code field}'s error. Answers the checked value or null. */
    public <T> T check(String field, Supplier<T> check) {
        try {
            return check.get();
        } catch (InvalidFields several) {
            several.errors().forEach(e -> add(e.field(), e.problem()));
            return null;
        } catch (DomainProblem refused) {
            add(field, refused);
            return null;
        }
    }

    /** Runs a check that answers nothing; a refusal it throws becomes {@code field}'s error. */
    public void checkThat(String field, Runnable check) {
        check(field, () -> {
            check.run();
            return null;
        });
    }

    /** Files {@code problem} under {@code field}; a field keeps its first error. */
    public FieldErrors add(String field, DomainProblem problem) {
        byField.putIfAbsent(field, new FieldError(field, problem.code(), problem.arguments(), problem.getMessage()));
        return this;
    }

    /** Files {@code field}'s error by its message code ({@code problem.<code>}). */
    public FieldErrors add(String field, String code, Object... arguments) {
        byField.putIfAbsent(field, new FieldError(field, code, arguments, code));
        return this;
    }

    /**
     * Files a refusal under the field it names (its {@code field} property, set by the services);
     * a refusal of several fields ({@link InvalidFields}) files each under its own. Answers false when
     * it names none, for the page to show it above the form.
     */
    public boolean add(DomainProblem problem) {
        return add(problem, Function.identity(), null);
    }

    /** Like {@link #add(DomainProblem)}, filing a refusal that names no field under {@code fallbackField}. */
    public FieldErrors addOr(String fallbackField, DomainProblem problem) {
        add(problem, Function.identity(), fallbackField);
        return this;
    }

    /**
     * Files a refusal where a page's inputs carry a prefix ({@code new-key-name} for the service's
     * {@code name}): under {@code prefix + field} when it names one, under {@code fallbackField} otherwise.
     */
    public FieldErrors addPrefixed(String prefix, String fallbackField, DomainProblem problem) {
        add(problem, field -> prefix + field, fallbackField);
        return this;
    }

    /**
     * Files a refusal (each of an {@link InvalidFields}) under the page's input for the field it
     * names, {@code inputOf} turning the service's field name into the input's id; one that names no
     * field goes under {@code fallbackField}, or is left out (answering false) when that is null.
     */
    public boolean add(DomainProblem problem, Function<String, String> inputOf, String fallbackField) {
        if (problem instanceof InvalidFields several) {
            several.errors().forEach(e -> add(inputOf.apply(e.field()), e.problem()));
            return true;
        }
        Object field = problem.properties().get("field");
        if (field != null) {
            add(inputOf.apply(field.toString()), problem);
            return true;
        }
        if (fallbackField != null) {
            add(fallbackField, problem);
            return true;
        }
        return false;
    }

    public boolean any() {
        return !byField.isEmpty();
    }

    public int count() {
        return byField.size();
    }

    public boolean has(String field) {
        return byField.containsKey(field);
    }

    public FieldError get(String field) {
        return byField.get(field);
    }

    public Collection<FieldError> all() {
        return byField.values();
    }

    /** {@code aria-invalid}'s value: "true" for a field in error, none (null removes the attribute) otherwise. */
    public String invalid(String field) {
        return has(field) ? "true" : null;
    }

    /** {@code aria-describedby}'s value: the error's id for a field in error, none otherwise. */
    public String describedBy(String field) {
        return has(field) ? errorId(field) : null;
    }

    public static String errorId(String field) {
        return field + "-error";
    }
}
