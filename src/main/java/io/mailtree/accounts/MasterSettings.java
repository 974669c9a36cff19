package io.mailtree.accounts;

/**
 * The operator's change to a master's settings (the console's form, the provisioning API's patch).
 * A null setting stays as it is.
 *
 * @param planCode               the plan to move the master and its sub-accounts to
 * @param subaccountsEnabled     true or false overrides the plan's sub-account eligibility (D-3)
 * @param resetSubaccounts       returns the eligibility to the plan's default, whatever
 *                               {@code subaccountsEnabled} says
 * @param enterpriseContactLimit the contact limit of an enterprise master, 0 … 100,000,000
 */
public record MasterSettings(String planCode, Boolean subaccountsEnabled, boolean resetSubaccounts,
        Integer enterpriseContactLimit) {
}
