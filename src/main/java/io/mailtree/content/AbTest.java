package io.mailtree.content;

import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.FieldChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An A/B test: two to five variants of subject, sender name or content, sent to a test share of
 * the recipients; after the wait, the winner by opens or clicks goes to the rest.
 *
 * @param testPercent the share of recipients in the test, 5 to 50
 * @param waitHours   hours before the winner is chosen, 1 to 72
 */
public record AbTest(List<Variant> variants, int testPercent, String winnerRule, int waitHours) {

    /** One variant: what differs from the e-mail's own parts (null fields inherit them). */
    public record Variant(String subject, String fromName, String html) {
    }

    /** What is missing for the test to be complete, as validation codes. */
    List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (variants == null || variants.size() < 2) {
            missing.add("ab_variants");
        }
        return missing;
    }

    /**
     * Files each value out of range under its field ({@code abTest}, {@code abTest.testPercent}, ...);
     * missing variants are reported by validation instead.
     */
    void check(FieldChecks checks) {
        if (variants != null && variants.size() > 5) {
            checks.add("abTest", DomainProblem.invalid("invalid_ab_test", "an A/B test has at most 5 variants"));
        }
        if (testPercent < 5 || testPercent > 50) {
            checks.add("abTest.testPercent", DomainProblem.invalid("invalid_ab_test",
                    "the test share is between 5 and 50 percent"));
        }
        if (!List.of("OPENS", "CLICKS").contains(winnerRule == null ? "" : winnerRule.toUpperCase(Locale.ROOT))) {
            checks.add("abTest.winnerRule", DomainProblem.invalid("invalid_ab_test",
                    "the winner is chosen by OPENS or CLICKS"));
        }
        if (waitHours < 1 || waitHours > 72) {
            checks.add("abTest.waitHours", DomainProblem.invalid("invalid_ab_test", "the wait is between 1 and 72 hours"));
        }
    }
}
