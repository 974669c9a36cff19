package io.mailtree.accounts;

import io.mailtree.shared.DomainProblem;

/** D-3: the master's plan (or the operator's override) does not allow sub-accounts. */
public class SubaccountsNotAllowedOnPlan extends DomainProblem {

    public SubaccountsNotAllowedOnPlan(String planCode) {
        super(403, "subaccounts_not_allowed_on_plan", "sub-accounts are not available on the plan " + planCode,
                planCode);
        with("plan", planCode);
    }
}
