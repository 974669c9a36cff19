package io.mailtree.accounts;

/**
 * A plan of the operator-editable catalog (D-2). Its {@code code} is the identifier the API uses.
 *
 * @param contactLimit       the contact limit of a CONTACTS plan; null for enterprise, whose limit is
 *                           set per master
 * @param subaccountsAllowed D-3's default eligibility, which the operator can override per master
 */
public record Plan(String code, String name, PlanKind kind, Integer contactLimit, Integer monthlyEmails,
        boolean paid, boolean subaccountsAllowed) {

    public boolean usesContactAllocation() {
        return kind == PlanKind.CONTACTS;
    }
}
