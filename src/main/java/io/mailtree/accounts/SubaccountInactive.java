package io.mailtree.accounts;

import io.mailtree.shared.DomainProblem;

/** D-12: the sub-account is deactivated, so it cannot sign in, use its keys or be acted on. */
public class SubaccountInactive extends DomainProblem {

    public SubaccountInactive(String name) {
        super(403, "subaccount_inactive", "the sub-account " + name + " is deactivated", name);
    }

    static SubaccountInactive of(Account account) {
        return new SubaccountInactive(account.name());
    }
}
