package io.mailtree.accounts.api;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.Allowance;
import io.mailtree.accounts.ContactAllowance;
import io.mailtree.shared.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/account}: the caller's account and its allowance figures (D-7). */
@RestController
@RequestMapping("/api/v1/account")
@Tag(name = "Account")
class AccountApi {

    private final AccountTree accounts;
    private final ContactAllowance contactAllowance;

    AccountApi(AccountTree accounts, ContactAllowance contactAllowance) {
        this.accounts = accounts;
        this.contactAllowance = contactAllowance;
    }

    @GetMapping
    @Operation(summary = "The caller's account", description = "With X-Mailtree-On-Behalf-Of, the sub-account's.")
    AccountJson account(Caller caller) {
        Account account = accounts.require(caller.accountId());
        Allowance allowance = contactAllowance.allowance(account.id());
        return new AccountJson(account.id().toString(), account.name(), account.kind().name(),
                account.parentId() == null ? null : account.parentId().toString(), account.planCode(),
                account.status().name(), account.isVerified(), new AllowanceJson(allowance.limit(),
                        allowance.ownActiveContacts(), allowance.allocatedToSubaccounts(),
                        allowance.pendingRelease().stream().map(p -> new PendingJson(p.subaccountId().toString(),
                                p.amount(), p.releaseAt())).toList(),
                        allowance.limit() == null ? null : allowance.totalActiveContacts(), allowance.available()),
                account.isMaster() ? accounts.maySubaccounts(account) : false);
    }

    @Schema(name = "Account")
    record AccountJson(String id, String name, @Schema(description = "MASTER or SUB") String kind, String parentId,
            @Schema(description = "Plan code from the catalog") String plan,
            @Schema(description = "ACTIVE or INACTIVE") String status,
            @Schema(description = "Whether the owner confirmed the e-mail (D-1)") boolean verified,
            AllowanceJson allowance,
            @Schema(description = "Whether this account may create sub-accounts now (D-3)") boolean subaccountsAllowed) {
    }

    @Schema(name = "Allowance", description = "D-7. limit and available are null on plans without a contact allowance")
    record AllowanceJson(Integer limit, int ownActiveContacts, long allocatedToSubaccounts,
            List<PendingJson> pendingRelease,
            @Schema(description = "own + allocated + pending") Long totalActiveContacts,
            @Schema(description = "limit − total active contacts") Long available) {
    }

    @Schema(name = "PendingRelease")
    record PendingJson(String subaccountId, int amount, Instant releaseAt) {
    }
}
