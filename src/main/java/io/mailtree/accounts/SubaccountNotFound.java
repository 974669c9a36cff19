package io.mailtree.accounts;

import io.mailtree.shared.DomainProblem;

/** No sub-account with that id under the caller's master: also what another master's id answers. */
public class SubaccountNotFound extends DomainProblem {

    public SubaccountNotFound() {
        super(404, "subaccount_not_found", "sub-account not found");
    }
}
