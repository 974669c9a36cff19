package io.mailtree.accounts;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import java.time.Duration;
import java.time.Instant;

/**
 * A master account or a sub-account, with the counters of its contact allowance. Its verbs guard
 * the rules of the tree; {@link Accounts} persists what they change.
 */
public final class Account {

    /** D-10: a deactivated sub-account's allocation returns only 30 days after its last send. */
    public static final Duration RELEASE_DELAY = Duration.ofDays(30);

    private final AccountId id;
    private final AccountKind kind;
    private final AccountId parentId;
    private String name;
    private String planCode;
    private AccountStatus status;
    private Instant verifiedAt;
    private Boolean subaccountsOverride;
    private Integer contactLimitOverride;
    private Integer contactAllocation;
    private int ownActiveContacts;
    private long allocatedToSubaccounts;
    private int subaccountCount;
    private Instant lastSendAt;
    private Instant deactivatedAt;
    private final Instant createdAt;

    Account(AccountId id, AccountKind kind, AccountId parentId, String name, String planCode, AccountStatus status,
            Instant verifiedAt, Boolean subaccountsOverride, Integer contactLimitOverride, Integer contactAllocation,
            int ownActiveContacts, long allocatedToSubaccounts, int subaccountCount, Instant lastSendAt,
            Instant deactivatedAt, Instant createdAt) {
        this.id = id;
        this.kind = kind;
        this.parentId = parentId;
        this.name = name;
        this.planCode = planCode;
        this.status = status;
        this.verifiedAt = verifiedAt;
        this.subaccountsOverride = subaccountsOverride;
        this.contactLimitOverride = contactLimitOverride;
        this.contactAllocation = contactAllocation;
        this.ownActiveContacts = ownActiveContacts;
        this.allocatedToSubaccounts = allocatedToSubaccounts;
        this.subaccountCount = subaccountCount;
        this.lastSendAt = lastSendAt;
        this.deactivatedAt = deactivatedAt;
        this.createdAt = createdAt;
    }

    static Account newMaster(String name, Plan plan, Instant now) {
        return new Account(AccountId.random(), AccountKind.MASTER, null, name, plan.code(), AccountStatus.ACTIVE, null,
                null, null, null, 0, 0, 0, null, null, now);
    }

    /** D-4: a sub-account has its master's plan; it is verified because its master is. */
    static Account newSubaccount(Account master, String name, Integer allocation, Instant now) {
        return new Account(AccountId.random(), AccountKind.SUB, master.id, name, master.planCode, AccountStatus.ACTIVE,
                now, null, null, allocation, 0, 0, 0, null, null, now);
    }

    // --- verbs -------------------------------------------------------------------------------

    void rename(String newName) {
        this.name = newName;
    }

    void markVerified(Instant at) {
        if (verifiedAt == null) {
            verifiedAt = at;
        }
    }

    /** Takes {@code amount} of this master's allowance for a sub-account. The caller checked it is free. */
    void allocate(long amount) {
        allocatedToSubaccounts += amount;
    }

    void returnAllocation(long amount) {
        allocatedToSubaccounts -= amount;
    }

    void countNewSubaccount() {
        subaccountCount++;
    }

    void changeAllocation(int newAllocation) {
        if (status == AccountStatus.INACTIVE) {
            throw SubaccountInactive.of(this);
        }
        if (newAllocation < ownActiveContacts) {
            throw new DomainProblem(409, "allocation_below_usage",
                    "the allocation of " + newAllocation + " is below the " + ownActiveContacts
                            + " active contacts of this sub-account", newAllocation, ownActiveContacts)
                    .with("requested", newAllocation).with("activeContacts", ownActiveContacts);
        }
        this.contactAllocation = newAllocation;
    }

    /**
     * D-10: deactivates this sub-account and answers when its allocation returns to the master:
     * {@code max(now, lastSend + 30 days)}.
     */
    Instant deactivate(Instant now) {
        requireSub();
        if (status == AccountStatus.INACTIVE) {
            throw new DomainProblem(409, "subaccount_already_inactive", "the sub-account is already inactive");
        }
        status = AccountStatus.INACTIVE;
        deactivatedAt = now;
        Instant afterLastSend = lastSendAt == null ? now : lastSendAt.plus(RELEASE_DELAY);
        return afterLastSend.isAfter(now) ? afterLastSend : now;
    }

    void activate() {
        requireSub();
        if (status == AccountStatus.ACTIVE) {
            throw new DomainProblem(409, "subaccount_already_active", "the sub-account is already active");
        }
        status = AccountStatus.ACTIVE;
        deactivatedAt = null;
    }

    /** Tests set the last send directly; in production {@link Accounts#recordSend} writes it. */
    void recordSendForTest(Instant at) {
        this.lastSendAt = at;
    }

    void changePlan(String newPlanCode) {
        this.planCode = newPlanCode;
    }

    void overrideSubaccounts(Boolean enabled) {
        this.subaccountsOverride = enabled;
    }

    void setContactLimitOverride(Integer limit) {
        this.contactLimitOverride = limit;
    }

    private void requireSub() {
        if (kind != AccountKind.SUB) {
            throw DomainProblem.forbidden("not_a_subaccount", "only a sub-account can be deactivated or activated");
        }
    }

    // --- questions ---------------------------------------------------------------------------

    /** D-3 with the operator's per-master override. */
    public boolean maySubaccounts(Plan plan) {
        return kind == AccountKind.MASTER && (subaccountsOverride != null ? subaccountsOverride : plan.subaccountsAllowed());
    }

    /** The contact limit of this account: a master's plan limit (or enterprise limit), a sub's allocation. */
    public Integer contactLimit(Plan plan) {
        if (!plan.usesContactAllocation()) {
            return null;
        }
        if (kind == AccountKind.SUB) {
            return contactAllocation;
        }
        return contactLimitOverride != null ? contactLimitOverride : plan.contactLimit() == null ? 0 : plan.contactLimit();
    }

    public boolean isMaster() {
        return kind == AccountKind.MASTER;
    }

    public boolean isActive() {
        return status == AccountStatus.ACTIVE;
    }

    public boolean isVerified() {
        return verifiedAt != null;
    }

    public AccountId id() {
        return id;
    }

    public AccountKind kind() {
        return kind;
    }

    public AccountId parentId() {
        return parentId;
    }

    /** The master of this account's tree. */
    public AccountId rootId() {
        return parentId == null ? id : parentId;
    }

    public String name() {
        return name;
    }

    public String planCode() {
        return planCode;
    }

    public AccountStatus status() {
        return status;
    }

    public Instant verifiedAt() {
        return verifiedAt;
    }

    public Boolean subaccountsOverride() {
        return subaccountsOverride;
    }

    public Integer contactLimitOverride() {
        return contactLimitOverride;
    }

    public Integer contactAllocation() {
        return contactAllocation;
    }

    public int ownActiveContacts() {
        return ownActiveContacts;
    }

    public long allocatedToSubaccounts() {
        return allocatedToSubaccounts;
    }

    public int subaccountCount() {
        return subaccountCount;
    }

    public Instant lastSendAt() {
        return lastSendAt;
    }

    public Instant deactivatedAt() {
        return deactivatedAt;
    }

    public Instant createdAt() {
        return createdAt;
    }
}
