package io.mailtree.accounts;

import io.mailtree.shared.DomainProblem;

/** D-8: an allocation larger than the master's available allowance, with both numbers. */
public class ContactAllowanceExceeded extends DomainProblem {

    public ContactAllowanceExceeded(long requested, long available) {
        super(409, "contact_allowance_exceeded",
                requested + " requested, " + Math.max(available, 0) + " available", requested, Math.max(available, 0));
        with("requested", requested);
        with("available", Math.max(available, 0));
    }
}
