package io.mailtree.platform.api;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.Allowance;
import io.mailtree.accounts.ContactAllowance;
import io.mailtree.accounts.MasterSettings;
import io.mailtree.onboarding.Onboarding;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The provisioning API: {@code Authorization: Bearer <MAILTREE_OPERATOR_TOKEN>}; off without that
 * variable.
 */
@RestController
@RequestMapping("/api/platform/v1/masters")
@Tag(name = "Provisioning (operators)")
class ProvisioningApi {

    static final String ACTOR = "operator-token";

    private final Onboarding onboarding;
    private final AccountTree accounts;
    private final ContactAllowance contactAllowance;

    ProvisioningApi(Onboarding onboarding, AccountTree accounts, ContactAllowance contactAllowance) {
        this.onboarding = onboarding;
        this.accounts = accounts;
        this.contactAllowance = contactAllowance;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a master", description = "The owner receives an e-mail to set a password; the "
            + "primary key's secret is shown once.")
    Map<String, Object> create(@RequestBody NewMaster request, HttpServletRequest http) {
        var created = onboarding.provisionMaster(request.name(), request.ownerEmail(), request.plan(), ACTOR,
                http.getRemoteAddr());
        var key = created.apiKey();
        return Map.of("master", json(created.account()), "apiKey", new KeyJson(key.key().id().toString(),
                key.key().publicKey(), key.secret()));
    }

    @GetMapping
    PageOf<MasterJson> list(@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size,
            @RequestParam(required = false) String q) {
        return accounts.masters(q, new PageRequest(page, size)).map(this::json);
    }

    @GetMapping("/{id}")
    MasterJson get(@PathVariable String id) {
        return json(master(id));
    }

    @PatchMapping("/{id}")
    @Operation(summary = "Change a master's plan, sub-account feature or enterprise limit",
            description = "subaccountsEnabled: true or false overrides the plan's default; null with "
                    + "resetSubaccounts=true returns to it.")
    MasterJson patch(@PathVariable String id, @RequestBody MasterPatch patch, HttpServletRequest http) {
        Account master = master(id);
        return json(accounts.changeMasterSettings(master.id(), new MasterSettings(patch.plan(),
                patch.subaccountsEnabled(), Boolean.TRUE.equals(patch.resetSubaccounts()), patch.enterpriseContactLimit()),
                ACTOR, http.getRemoteAddr()));
    }

    private Account master(String id) {
        return AccountId.parse(id).flatMap(accounts::find).filter(Account::isMaster)
                .orElseThrow(() -> DomainProblem.notFound("master_not_found", "master"));
    }

    private MasterJson json(Account master) {
        Allowance allowance = contactAllowance.allowance(master.id());
        return new MasterJson(master.id().toString(), master.name(), master.planCode(), master.status().name(),
                master.isVerified(), accounts.maySubaccounts(master), master.subaccountsOverride(),
                master.contactLimitOverride(), master.subaccountCount(), allowance.limit(), allowance.available(),
                master.createdAt());
    }

    @Schema(name = "NewMaster")
    record NewMaster(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String name,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String ownerEmail,
            @Schema(description = "Plan code from the catalog", requiredMode = Schema.RequiredMode.REQUIRED) String plan) {
    }

    @Schema(name = "MasterPatch")
    record MasterPatch(String plan, Boolean subaccountsEnabled, Boolean resetSubaccounts,
            Integer enterpriseContactLimit) {
    }

    @Schema(name = "Master")
    record MasterJson(String id, String name, String plan, String status, boolean verified,
            @Schema(description = "Effective: plan default or override") boolean subaccountsEnabled,
            @Schema(description = "Operator override, null = plan default") Boolean subaccountsOverride,
            Integer enterpriseContactLimit, int subaccountCount, Integer contactLimit, Long availableContacts,
            Instant createdAt) {
    }

    @Schema(name = "ProvisionedKey")
    record KeyJson(String id, String publicKey, String secret) {
    }
}
