package io.mailtree.keys.api;

import io.mailtree.accounts.SubaccountNotFound;
import io.mailtree.keys.IssuedKey;
import io.mailtree.keys.KeyManagement;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.util.List;
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
 * {@code /api/v1/keys} (D-17): every caller lists its keys, a master also its sub-accounts'; only a
 * master creates, renames, relabels, revokes and rotates them ({@code masters_only} otherwise). A key
 * of another master or of a sibling sub-account answers 404 {@code api_key_not_found}.
 */
@RestController
@RequestMapping("/api/v1/keys")
@RequiresPermission(Permission.API_KEYS)
@Tag(name = "API keys")
class KeysApi {

    private final KeyManagement keys;

    KeysApi(KeyManagement keys) {
        this.keys = keys;
    }

    @GetMapping
    @Operation(summary = "List keys",
            description = "The caller's keys and, for a master, each sub-account's; account narrows to one of them.")
    List<KeyJson> list(Caller caller, @RequestParam(required = false) String account) {
        AccountId only = account == null ? null : AccountId.parse(account.strip()).orElseThrow(SubaccountNotFound::new);
        return keys.list(caller, only).stream().map(KeyJson::of).toList();
    }

    @GetMapping("/{id}")
    @Operation(summary = "One key")
    KeyJson get(Caller caller, @PathVariable String id) {
        return KeyJson.of(keys.get(caller, id));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a key (masters only)",
            description = "For the master itself or, with account, one of its sub-accounts. The secret is answered once.")
    IssuedKeyJson create(Caller caller, @RequestBody NewKey request) {
        IssuedKey issued = keys.create(caller, request.account(), request.name(), request.label());
        return IssuedKeyJson.of(issued, keys.get(caller, issued.key().id().toString()).accountName());
    }

    @PatchMapping("/{id}")
    @Operation(summary = "Rename or relabel a key (masters only)")
    KeyJson change(Caller caller, @PathVariable String id, @RequestBody KeyPatch patch) {
        keys.change(caller, id, patch.name(), patch.label());
        return KeyJson.of(keys.get(caller, id));
    }

    @PostMapping("/{id}/revoke")
    @Operation(summary = "Revoke a key (masters only)",
            description = "Its secret, and a rotated-out one still in its grace period, are refused from now on.")
    KeyJson revoke(Caller caller, @PathVariable String id) {
        keys.revoke(caller, id);
        return KeyJson.of(keys.get(caller, id));
    }

    @PostMapping("/{id}/rotate")
    @Operation(summary = "Rotate a key's secret (masters only)",
            description = "The new secret is answered once; the old one stays valid for graceMinutes (0 to 1440, default 60).")
    IssuedKeyJson rotate(Caller caller, @PathVariable String id, @RequestBody(required = false) Rotation rotation) {
        // Bounded before it becomes a Duration, so an absurd number is refused as too long, not overflowed.
        Duration grace = rotation == null || rotation.graceMinutes() == null ? null
                : Duration.ofMinutes(Math.max(-1, Math.min(rotation.graceMinutes(), KeyManagement.GRACE_MAX.toMinutes() + 1)));
        IssuedKey issued = keys.rotate(caller, id, grace);
        return IssuedKeyJson.of(issued, keys.get(caller, id).accountName());
    }

    @Schema(name = "NewApiKey")
    record NewKey(@Schema(description = "A name, at most 100 characters", requiredMode = Schema.RequiredMode.REQUIRED)
            String name,
            @Schema(description = "TRANSACTIONAL (the default) or MARKETING") String label,
            @Schema(description = "A sub-account's id; the master itself when absent") String account) {
    }

    @Schema(name = "ApiKeyPatch")
    record KeyPatch(@Schema(description = "New name") String name,
            @Schema(description = "New label: TRANSACTIONAL or MARKETING") String label) {
    }

    @Schema(name = "ApiKeyRotation")
    record Rotation(@Schema(description = "Minutes the old secret stays valid: 0 to 1440, default 60") Long graceMinutes) {
    }
}
