package io.mailtree.billing;

import io.mailtree.shared.DomainProblem;

/**
 * D-31: the send would take more than the master's credits left, or more than the sub-account's
 * monthly cap. HTTP 402 with {@code credits_exhausted} (SMTP 452 4.3.1); nothing of the call is
 * accepted and nothing accepted before is touched.
 */
public class CreditsExhausted extends DomainProblem {

    public static final String CODE = "credits_exhausted";

    /** Whose limit was reached: the tree's credits or the sub-account's cap. */
    public enum Scope { CREDITS, CAP }

    public CreditsExhausted(Scope scope, long requested, long used, long limit) {
        super(402, CODE, (scope == Scope.CAP ? "the sub-account's monthly cap" : "the account's credits")
                + " would be exceeded: " + requested + " requested, " + Math.max(0, limit - used) + " left of "
                + limit, requested, Math.max(0, limit - used), limit, scope == Scope.CAP ? 1 : 0);
        with("scope", scope.name());
        with("requested", requested);
        with("used", used);
        with("limit", limit);
        with("available", Math.max(0, limit - used));
    }
}
