package io.mailtree.accounts.api;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.Allowance;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** A sub-account as the API shows it. */
@Schema(name = "Subaccount")
public record SubaccountJson(
        @Schema(description = "Sub-account id (UUID); use it in paths and in X-Mailtree-On-Behalf-Of") String id,
        @Schema(description = "Display name, 1 to 100 characters") String name,
        @Schema(description = "ACTIVE or INACTIVE (D-12)") String status,
        @Schema(description = "Contact allocation from the plan's tiers (CONTACTS plans), null otherwise")
        Integer contactAllocation,
        @Schema(description = "Active contacts registered in the sub-account") int activeContacts,
        @Schema(description = "Plan code, the same as the master's (D-4)") String plan,
        @Schema(description = "The master account's id") String parentId,
        Instant createdAt,
        @Schema(description = "When it was deactivated, if inactive") Instant deactivatedAt,
        @Schema(description = "Time of its last send; the 30-day release counts from it (D-10)") Instant lastSendAt,
        @Schema(description = "While inactive: when its allocation returns to the master, if still pending")
        Instant allocationReleaseAt) {

    public static SubaccountJson of(Account sub, Allowance.PendingRelease pending) {
        return new SubaccountJson(sub.id().toString(), sub.name(), sub.status().name(), sub.contactAllocation(),
                sub.ownActiveContacts(), sub.planCode(), sub.parentId().toString(), sub.createdAt(),
                sub.deactivatedAt(), sub.lastSendAt(), pending == null ? null : pending.releaseAt());
    }
}
