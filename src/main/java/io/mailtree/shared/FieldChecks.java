package io.mailtree.shared;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Checks every field of a command before refusing any, so that one answer names all that is
 * wrong ({@link InvalidFields}); used by the services, so that pages and the API report the same
 * errors from the same rules. A field keeps its first refusal; a check whose field already failed,
 * or that depends on one that did, is skipped by asking {@link #ok}.
 * <pre>
 * FieldChecks checks = new FieldChecks();
 * String email = checks.check("email", () -> EmailAddresses.normalise(raw));
 * String name = checks.check("name", () -> Texts.name(rawName, 100));
 * checks.throwIfAny();   // nothing is written before this line
 * </pre>
 */
public final class FieldChecks {

    private final Map<String, DomainProblem> byField = new LinkedHashMap<>();

    /** Runs {@code check}; a refusal it throws becomes {@code field}'s error and the answer is null. */
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

    /** Files {@code problem} under {@code field}, unless the field already has an error. */
    public FieldChecks add(String field, DomainProblem problem) {
        byField.putIfAbsent(field, problem);
        return this;
    }

    /** True while {@code field} has no error: checks that build on it run only then. */
    public boolean ok(String field) {
        return !byField.containsKey(field);
    }

    public boolean any() {
        return !byField.isEmpty();
    }

    /** Refuses the command with every error found so far; does nothing when there is none. */
    public void throwIfAny() {
        if (byField.isEmpty()) {
            return;
        }
        List<InvalidFields.FieldProblem> errors = new ArrayList<>();
        byField.forEach((field, problem) -> errors.add(new InvalidFields.FieldProblem(field, problem)));
        throw new InvalidFields(errors);
    }
}
