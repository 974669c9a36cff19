package io.mailtree.accounts;

import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.MastersOnly;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Texts;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The public face of the account tree: reading it, creating masters and the operator's changes to
 * them, and the sub-account lifecycle (creating, editing, deactivating and activating sub-accounts,
 * D-6, D-8, D-10, D-15). Every change that touches the master's counters first row-locks the master
 * and checks the allocation against {@link ContactAllowance}, so two concurrent creations cannot
 * both take the last free slot. The allowance itself is {@link ContactAllowance}; sharing into
 * sub-accounts is {@link io.mailtree.accounts.sharing.SubaccountShares}.
 */
@Service
public class AccountTree implements io.mailtree.shared.AccountNames, io.mailtree.shared.AccountRoots {

    public static final int NAME_MAX = 100;

    private final Accounts accounts;
    private final Plans plans;
    private final ContactAllowance allowance;
    private final AuditLog audit;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    AccountTree(Accounts accounts, Plans plans, ContactAllowance allowance, AuditLog audit, Clock clock,
            ApplicationEventPublisher events) {
        this.accounts = accounts;
        this.plans = plans;
        this.allowance = allowance;
        this.audit = audit;
        this.clock = clock;
        this.events = events;
    }

    // --- reading -----------------------------------------------------------------------------

    public Optional<Account> find(AccountId id) {
        return accounts.find(id);
    }

    public Account require(AccountId id) {
        return accounts.find(id).orElseThrow(() -> DomainProblem.notFound("account_not_found", "account"));
    }

    /** A sub-account of {@code master}; another master's sub-account answers 404. */
    public Account subaccount(AccountId master, AccountId sub) {
        return accounts.findSubaccount(master, sub).orElseThrow(SubaccountNotFound::new);
    }

    public PageOf<Account> subaccounts(AccountId master, String search, PageRequest page) {
        return accounts.subaccounts(master, search, page);
    }

    @Override
    public AccountId rootOf(AccountId account) {
        return require(account).rootId();
    }

    @Override
    public java.util.Map<AccountId, String> namesOf(java.util.Collection<AccountId> ids) {
        return accounts.namesOf(ids);
    }

    /** The accounts of {@code ids} that exist, read in one query (a person's grants, on every request). */
    public java.util.Map<AccountId, Account> findAll(java.util.Collection<AccountId> ids) {
        return accounts.findAll(ids);
    }

    /** The ids of all {@code master}'s sub-accounts, active or not. */
    public List<AccountId> subaccountIds(AccountId master) {
        return accounts.subaccountIds(master);
    }

    /** The caller's own master account: the one a master's page or act works from. */
    public Account master(Caller caller) {
        caller.requireMaster();
        return accounts.find(caller.accountId()).filter(Account::isMaster).orElseThrow(MastersOnly::new);
    }

    /** The caller's sub-accounts, for a master only: a sub-account is refused rather than shown an empty list. */
    public PageOf<Account> subaccounts(Caller caller, String search, PageRequest page) {
        caller.requireMaster();
        return subaccounts(caller.accountId(), search, page);
    }

    /** The caller's sub-accounts whose name holds {@code search}, sorted, for a master only. */
    public PageOf<Account> subaccounts(Caller caller, String search, SubaccountSort sort, boolean descending,
            PageRequest page) {
        caller.requireMaster();
        return accounts.subaccounts(caller.accountId(), search, sort, descending, page);
    }

    /** One of the caller's sub-accounts, for a master only; another master's sub-account answers 404. */
    public Account subaccount(Caller caller, AccountId sub) {
        caller.requireMaster();
        return subaccount(caller.accountId(), sub);
    }

    public PageOf<Account> masters(String search, PageRequest page) {
        return accounts.masters(search, page);
    }

    public Plan planOf(Account account) {
        return plans.require(account.planCode());
    }

    public List<Plan> plans() {
        return plans.all();
    }

    /** Whether {@code master} may create sub-accounts now (plan eligibility with the operator's override). */
    public boolean maySubaccounts(Account master) {
        return master.maySubaccounts(plans.require(master.planCode()));
    }

    // --- masters -----------------------------------------------------------------------------

    /** Creates a master account on {@code planCode}; it cannot send until verified (D-1). */
    @Transactional
    public Account createMaster(String name, String planCode) {
        Plan plan = plans.require(planCode);
        Instant now = clock.instant();
        Account master = Account.newMaster(Texts.name(name, NAME_MAX), plan, now);
        accounts.insert(master, now);
        return master;
    }

    @Transactional
    public void markVerified(AccountId id) {
        Instant now = clock.instant();
        Account account = accounts.lock(id).orElseThrow(() -> DomainProblem.notFound("account_not_found", "account"));
        account.markVerified(now);
        accounts.update(account, now);
    }

    /**
     * The operator's changes to a master, {@link MasterSettings}: what it leaves null stays as it is.
     * Recorded in the audit log under {@code operator}, from {@code address}.
     */
    @Transactional
    public Account changeMasterSettings(AccountId masterId, MasterSettings change, String operator, String address) {
        Instant now = clock.instant();
        Account master = accounts.lock(masterId).filter(Account::isMaster)
                .orElseThrow(() -> DomainProblem.notFound("master_not_found", "master"));
        StringBuilder detail = new StringBuilder();
        if (change.planCode() != null) {
            Plan plan = plans.require(change.planCode());
            String before = master.planCode();
            master.changePlan(plan.code());
            detail.append("plan=").append(plan.code()).append(' ');
            accounts.changePlanOfSubaccounts(master.id(), plan.code());
            if (!before.equals(plan.code())) {
                events.publishEvent(new MasterPlanChanged(master.id(), before, plan.code(), now));
            }
        }
        if (change.resetSubaccounts()) {
            master.overrideSubaccounts(null);
            detail.append("subaccounts=plan-default ");
        } else if (change.subaccountsEnabled() != null) {
            master.overrideSubaccounts(change.subaccountsEnabled());
            detail.append("subaccounts=").append(change.subaccountsEnabled() ? "on " : "off ");
        }
        if (change.enterpriseContactLimit() != null) {
            if (change.enterpriseContactLimit() < 0 || change.enterpriseContactLimit() > 100_000_000) {
                throw DomainProblem.invalid("invalid_contact_limit", "the contact limit must be between 0 and 100000000")
                        .with("field", "enterpriseContactLimit");
            }
            master.setContactLimitOverride(change.enterpriseContactLimit());
            detail.append("contactLimit=").append(change.enterpriseContactLimit());
        }
        accounts.update(master, now);
        audit.recordOperator(operator, address, master.id(), master.id(), "master.settings_changed",
                detail.toString().strip());
        return master;
    }

    /**
     * The master's own plan change (billing's upgrade, or a downgrade at its renewal): the master and
     * its sub-accounts move to {@code planCode} (D-4), recorded in the audit log under the caller, or
     * under {@code actor} when there is none (a renewal applies what the master asked for earlier).
     */
    @Transactional
    public Account changePlan(AccountId masterId, String planCode, Caller caller, String actor) {
        Instant now = clock.instant();
        Account master = accounts.lock(masterId).filter(Account::isMaster)
                .orElseThrow(() -> DomainProblem.notFound("master_not_found", "master"));
        Plan plan = plans.require(planCode);
        String before = master.planCode();
        if (before.equals(plan.code())) {
            return master;
        }
        master.changePlan(plan.code());
        accounts.changePlanOfSubaccounts(master.id(), plan.code());
        accounts.update(master, now);
        String detail = "plan=" + before + "->" + plan.code();
        if (caller != null) {
            audit.record(caller, master.id(), master.id(), "master.plan_changed", "account", master.id().toString(),
                    detail);
        } else {
            audit.recordOperator(actor, null, master.id(), master.id(), "master.plan_changed", detail);
        }
        events.publishEvent(new MasterPlanChanged(master.id(), before, plan.code(), now));
        return master;
    }

    // --- sub-accounts ------------------------------------------------------------------------

    /**
     * Creates a sub-account of the caller's master account with the given contact allocation
     * (D-6, D-8). The allocation is taken from the master's available allowance under a row lock.
     *
     * @throws SubaccountsNotAllowedOnPlan D-3
     * @throws ContactAllowanceExceeded    D-8, naming the requested and available numbers
     */
    @Transactional
    public Account createSubaccount(Caller caller, String name, Integer allocation) {
        Instant now = clock.instant();
        String validName = Texts.name(name, NAME_MAX);
        Account master = lockCallerMaster(caller);
        Plan plan = plans.require(master.planCode());
        if (!master.maySubaccounts(plan)) {
            throw new SubaccountsNotAllowedOnPlan(plan.code());
        }
        Integer granted = null;
        if (plan.usesContactAllocation()) {
            granted = requireTier(allocation);
            allowance.requireAvailable(master, granted, now);
            master.allocate(granted);
        } else if (allocation != null) {
            throw DomainProblem.invalid("allocation_not_applicable",
                    "the plan " + plan.code() + " has no contact allowance to allocate", plan.code())
                    .with("field", "contactAllocation");
        }
        Account sub = Account.newSubaccount(master, validName, granted, now);
        accounts.insert(sub, now);
        master.countNewSubaccount();
        accounts.update(master, now);
        audit.record(caller, master.id(), sub.id(), "subaccount.created", "account", sub.id().toString(),
                "name=" + validName + (granted == null ? "" : " allocation=" + granted));
        return sub;
    }

    /** Renames a sub-account and/or changes its allocation (raising it is checked like creation). */
    @Transactional
    public Account editSubaccount(Caller caller, AccountId subId, String newName, Integer newAllocation) {
        Instant now = clock.instant();
        Account master = lockCallerMaster(caller);
        Account sub = accounts.lockSubaccount(master.id(), subId).orElseThrow(SubaccountNotFound::new);
        StringBuilder detail = new StringBuilder();
        if (newName != null) {
            String validName = Texts.name(newName, NAME_MAX);
            sub.rename(validName);
            detail.append("name=").append(validName).append(' ');
        }
        if (newAllocation != null) {
            Plan plan = plans.require(master.planCode());
            if (!plan.usesContactAllocation()) {
                throw DomainProblem.invalid("allocation_not_applicable",
                        "the plan " + plan.code() + " has no contact allowance to allocate", plan.code())
                        .with("field", "contactAllocation");
            }
            int granted = requireTier(newAllocation);
            int previous = sub.contactAllocation() == null ? 0 : sub.contactAllocation();
            sub.changeAllocation(granted);
            int delta = granted - previous;
            if (delta > 0) {
                allowance.requireAvailable(master, delta, now);
            }
            master.allocate(delta);
            accounts.update(master, now);
            detail.append("allocation=").append(previous).append("->").append(granted);
        }
        accounts.update(sub, now);
        if (!detail.isEmpty()) {
            audit.record(caller, master.id(), sub.id(), "subaccount.edited", "account", sub.id().toString(),
                    detail.toString().strip());
        }
        return sub;
    }

    /**
     * D-10, D-15: the master deactivates a sub-account. Its allocation leaves the master's
     * "allocated" figure at once but counts as pending release until 30 days after its last send.
     */
    @Transactional
    public Account deactivate(Caller caller, AccountId subId) {
        Instant now = clock.instant();
        Account master = lockCallerMaster(caller);
        Account sub = accounts.lockSubaccount(master.id(), subId).orElseThrow(SubaccountNotFound::new);
        Instant releaseAt = sub.deactivate(now);
        int allocation = sub.contactAllocation() == null ? 0 : sub.contactAllocation();
        if (allocation > 0) {
            master.returnAllocation(allocation);
            if (releaseAt.isAfter(now)) {
                accounts.addPendingRelease(master.id(), sub.id(), allocation, releaseAt);
            }
        }
        accounts.update(sub, now);
        accounts.update(master, now);
        audit.record(caller, master.id(), sub.id(), "subaccount.deactivated", "account", sub.id().toString(),
                allocation > 0 ? "allocation " + allocation + " released at " + releaseAt : null);
        events.publishEvent(new SubaccountDeactivated(master.id(), sub.id(), now));
        return sub;
    }

    /**
     * D-10: reactivating takes the allocation back from the pending release while it is pending,
     * otherwise from the available allowance, refused with the numbers if short.
     */
    @Transactional
    public Account activate(Caller caller, AccountId subId) {
        Instant now = clock.instant();
        Account master = lockCallerMaster(caller);
        Account sub = accounts.lockSubaccount(master.id(), subId).orElseThrow(SubaccountNotFound::new);
        int allocation = sub.contactAllocation() == null ? 0 : sub.contactAllocation();
        sub.activate();
        Optional<Allowance.PendingRelease> pending = accounts.pendingRelease(sub.id(), now);
        String detail = null;
        if (allocation > 0) {
            if (pending.isPresent()) {
                detail = "allocation " + allocation + " taken back from pending release";
            } else {
                allowance.requireAvailable(master, allocation, now);
                detail = "allocation " + allocation + " taken from available allowance";
            }
            master.allocate(allocation);
        }
        accounts.removePendingRelease(sub.id());
        accounts.update(sub, now);
        accounts.update(master, now);
        audit.record(caller, master.id(), sub.id(), "subaccount.activated", "account", sub.id().toString(), detail);
        events.publishEvent(new SubaccountReactivated(master.id(), sub.id(), now));
        return sub;
    }

    /**
     * D-10's clock, set by hand: in the running system the {@code accounts.last-send} outcome
     * consumer moves it, and delivery never calls it.
     */
    @Transactional
    public void recordSend(AccountId account, Instant at) {
        accounts.recordSend(account, at);
    }

    // --- helpers -----------------------------------------------------------------------------

    private Account lockCallerMaster(Caller caller) {
        caller.requireMaster();
        return accounts.lock(caller.accountId()).filter(Account::isMaster).orElseThrow(MastersOnly::new);
    }

    private static int requireTier(Integer allocation) {
        if (allocation == null) {
            throw DomainProblem.invalid("allocation_required", "a contact allocation is required on this plan")
                    .with("field", "contactAllocation");
        }
        if (!AllocationTiers.isTier(allocation)) {
            throw DomainProblem.invalid("allocation_not_a_tier",
                    allocation + " is not an allocation tier; choose one of " + AllocationTiers.ALL, allocation)
                    .with("field", "contactAllocation").with("tiers", AllocationTiers.ALL);
        }
        return allocation;
    }
}
