package io.mailtree.accounts;

import io.mailtree.shared.AccountId;
import java.time.Instant;
import java.util.List;

/**
 * The figures of D-7 for one account. For a master: {@code limit − ownActiveContacts −
 * allocatedToSubaccounts − pending releases}. For a sub-account: its allocation minus its own
 * active contacts. Null {@code limit} means the plan has no contact allowance (MONTHLY_VOLUME,
 * PAY_PER_SEND).
 */
public record Allowance(Integer limit, int ownActiveContacts, long allocatedToSubaccounts,
        List<PendingRelease> pendingRelease, Long available) {

    /** An allocation of a deactivated sub-account that returns to the master at {@code releaseAt}. */
    public record PendingRelease(AccountId subaccountId, String subaccountName, int amount, Instant releaseAt) {
    }

    public long pendingTotal() {
        return pendingRelease.stream().mapToLong(PendingRelease::amount).sum();
    }

    /** D-7's "total active contacts" of a master. */
    public long totalActiveContacts() {
        return ownActiveContacts + allocatedToSubaccounts + pendingTotal();
    }

    static Allowance of(Account account, Plan plan, List<PendingRelease> pending) {
        Integer limit = account.contactLimit(plan);
        if (limit == null) {
            return new Allowance(null, account.ownActiveContacts(), 0, List.of(), null);
        }
        long pendingTotal = pending.stream().mapToLong(PendingRelease::amount).sum();
        long available = (long) limit - account.ownActiveContacts() - account.allocatedToSubaccounts() - pendingTotal;
        return new Allowance(limit, account.ownActiveContacts(), account.allocatedToSubaccounts(), pending, available);
    }
}
