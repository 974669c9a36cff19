package io.mailtree.accounts;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The contact allowance of D-7 … D-11, kept as counters on the account rows (ADR 0002): its figures,
 * the pending releases of deactivated sub-accounts, and the reservations that contacts make for
 * every new active contact. Every change first row-locks the account it takes from, in the caller's
 * transaction, so two concurrent acts cannot both take the last free contact. The sub-account
 * lifecycle ({@link AccountTree}) checks a master's allocations against the same figures.
 */
@Service
public class ContactAllowance {

    private final Accounts accounts;
    private final Plans plans;
    private final Clock clock;

    ContactAllowance(Accounts accounts, Plans plans, Clock clock) {
        this.accounts = accounts;
        this.plans = plans;
        this.clock = clock;
    }

    /** The allowance figures of D-7, read from counters: no recount of contacts or sub-accounts. */
    public Allowance allowance(AccountId id) {
        Account account = accounts.find(id).orElseThrow(ContactAllowance::accountNotFound);
        return allowanceOf(account, clock.instant());
    }

    /** When the allocation of a deactivated sub-account frees up, if it is still pending (D-10). */
    public Optional<Allowance.PendingRelease> pendingRelease(AccountId sub) {
        return accounts.pendingRelease(sub, clock.instant());
    }

    /**
     * D-11: takes {@code count} new active contacts from an account's allowance (a master's plan
     * limit, or a sub-account's allocation), in the caller's transaction and under a row lock on
     * the account, or refuses the whole batch with the numbers. Plans without a contact allowance
     * only count.
     *
     * @throws ContactAllowanceExceeded when fewer than {@code count} are available
     */
    @Transactional
    public void reserveActiveContacts(AccountId accountId, long count) {
        if (count <= 0) {
            return;
        }
        Account account = accounts.lock(accountId).orElseThrow(ContactAllowance::accountNotFound);
        requireAvailable(account, count, clock.instant());
        accounts.adjustOwnActiveContacts(accountId, Math.toIntExact(count));
    }

    /** Returns active contacts to the allowance (a contact deleted, unsubscribed, bounced or complained). */
    @Transactional
    public void releaseActiveContacts(AccountId accountId, long count) {
        if (count > 0) {
            accounts.adjustOwnActiveContacts(accountId, -Math.toIntExact(count));
        }
    }

    /**
     * Row-locks an account for the rest of the caller's transaction, so that a bulk change to its
     * contacts (an import) runs alone; {@link #reserveActiveContacts} then finds the lock held.
     */
    @Transactional
    public void lockForContactChanges(AccountId accountId) {
        accounts.lock(accountId).orElseThrow(ContactAllowance::accountNotFound);
    }

    /**
     * Refuses, with the numbers, taking {@code amount} from an account the caller has already
     * row-locked: a new contact (D-11) or a sub-account's allocation (D-8, D-10).
     *
     * @throws ContactAllowanceExceeded when fewer than {@code amount} are available
     */
    void requireAvailable(Account locked, long amount, Instant now) {
        Allowance allowance = allowanceOf(locked, now);
        if (allowance.available() != null && amount > allowance.available()) {
            throw new ContactAllowanceExceeded(amount, allowance.available());
        }
    }

    private Allowance allowanceOf(Account account, Instant now) {
        List<Allowance.PendingRelease> pending = account.isMaster() ? accounts.pendingReleases(account.id(), now) : List.of();
        return Allowance.of(account, plans.require(account.planCode()), pending);
    }

    private static DomainProblem accountNotFound() {
        return DomainProblem.notFound("account_not_found", "account");
    }
}
