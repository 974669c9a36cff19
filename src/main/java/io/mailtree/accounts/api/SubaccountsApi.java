package io.mailtree.accounts.api;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.Allowance;
import io.mailtree.accounts.ContactAllowance;
import io.mailtree.accounts.SubaccountNotFound;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reading and managing a master's sub-accounts. Creation ({@code POST}) lives with onboarding,
 * which also creates the owner login and key. Ids of another master's sub-accounts answer 404.
 */
@RestController
@RequestMapping("/api/v1/subaccounts")
@RequiresPermission(Permission.SUBACCOUNTS)
@Tag(name = "Sub-accounts")
class SubaccountsApi {

    private final AccountTree accounts;
    private final ContactAllowance contactAllowance;

    SubaccountsApi(AccountTree accounts, ContactAllowance contactAllowance) {
        this.accounts = accounts;
        this.contactAllowance = contactAllowance;
    }

    @GetMapping
    @Operation(summary = "List sub-accounts", description = "Sorted by name; q filters by a part of the name.")
    PageOf<SubaccountJson> list(Caller caller, @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size, @RequestParam(required = false) String q) {
        return accounts.subaccounts(caller, q, new PageRequest(page, size)).map(this::json);
    }

    @GetMapping("/{id}")
    SubaccountJson get(Caller caller, @PathVariable String id) {
        return json(accounts.subaccount(caller, parse(id)));
    }

    @PatchMapping("/{id}")
    @Operation(summary = "Rename a sub-account or change its allocation",
            description = "Raising the allocation is checked against the master's available allowance (D-8).")
    SubaccountJson edit(Caller caller, @PathVariable String id, @RequestBody SubaccountPatch patch) {
        return json(accounts.editSubaccount(caller, parse(id), patch.name(), patch.contactAllocation()));
    }

    @PostMapping("/{id}/deactivate")
    @Operation(summary = "Deactivate a sub-account (D-10, D-12)")
    SubaccountJson deactivate(Caller caller, @PathVariable String id) {
        return json(accounts.deactivate(caller, parse(id)));
    }

    @PostMapping("/{id}/activate")
    @Operation(summary = "Activate a sub-account (D-10)")
    SubaccountJson activate(Caller caller, @PathVariable String id) {
        return json(accounts.activate(caller, parse(id)));
    }

    @Schema(name = "SubaccountPatch")
    record SubaccountPatch(@Schema(description = "New name") String name,
            @Schema(description = "New allocation tier") Integer contactAllocation) {
    }

    private SubaccountJson json(Account sub) {
        Allowance.PendingRelease pending = sub.isActive() ? null : contactAllowance.pendingRelease(sub.id()).orElse(null);
        return SubaccountJson.of(sub, pending);
    }

    private static AccountId parse(String id) {
        return AccountId.parse(id).orElseThrow(SubaccountNotFound::new);
    }
}
