package io.mailtree.onboarding.api;

import io.mailtree.accounts.api.ApiKeyJson;
import io.mailtree.accounts.api.SubaccountJson;
import io.mailtree.onboarding.Onboarding;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/v1/subaccounts}: a sub-account with its owner login and its own key. */
@RestController
@RequiresPermission(Permission.SUBACCOUNTS)
@Tag(name = "Sub-accounts")
class SubaccountCreationApi {

    private final Onboarding onboarding;

    SubaccountCreationApi(Onboarding onboarding) {
        this.onboarding = onboarding;
    }

    @PostMapping("/api/v1/subaccounts")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a sub-account", description = """
            Takes the allocation from the master's available allowance (D-8); refused with
            contact_allowance_exceeded naming the numbers, or subaccounts_not_allowed_on_plan (D-3);
            a sub-account's key is refused with masters_only (D-5).
            The answer carries the sub-account's API key secret, shown this once.""")
    Created create(Caller caller, @RequestBody NewSubaccount request) {
        var created = onboarding.createSubaccount(caller, request.name(), request.ownerEmail(), request.password(),
                request.contactAllocation());
        var key = created.apiKey();
        return new Created(SubaccountJson.of(created.account(), null), new ApiKeyJson(key.key().id().toString(),
                key.key().publicKey(), key.secret(), key.key().name(), key.key().primary(), key.key().createdAt()));
    }

    @Schema(name = "NewSubaccount")
    record NewSubaccount(
            @Schema(description = "Display name, 1 to 100 characters", requiredMode = Schema.RequiredMode.REQUIRED)
            String name,
            @Schema(description = "The owner's login e-mail, unique across Mailtree",
                    requiredMode = Schema.RequiredMode.REQUIRED) String ownerEmail,
            @Schema(description = "10 to 128 characters; without it the owner is e-mailed a link to set one")
            String password,
            @Schema(description = "One of 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000 (CONTACTS plans)")
            Integer contactAllocation) {
    }

    @Schema(name = "CreatedSubaccount")
    record Created(SubaccountJson subaccount, ApiKeyJson apiKey) {
    }
}
