package io.mailtree.contacts.api;

import io.mailtree.contacts.CursorPage;
import io.mailtree.contacts.Suppression;
import io.mailtree.contacts.Suppressions;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/suppressions}: addresses the account never mails. */
@RestController
@RequestMapping("/api/v1/suppressions")
@RequiresPermission(Permission.CONTACTS)
@Tag(name = "Suppressions")
class SuppressionsApi {

    private final Suppressions suppressions;

    SuppressionsApi(Suppressions suppressions) {
        this.suppressions = suppressions;
    }

    @GetMapping
    CursorPage<Suppression> list(Caller caller, @RequestParam(required = false) String cursor,
            @RequestParam(defaultValue = "100") int limit, @RequestParam(required = false) String apiKeyId) {
        // D-20: one key's problem addresses; a malformed id matches nothing rather than everything.
        java.util.UUID key = apiKeyId == null || apiKeyId.isBlank() ? null
                : io.mailtree.shared.Ids.parseUuid(apiKeyId.strip()).orElse(new java.util.UUID(0, 0));
        return suppressions.list(caller.accountId(), cursor, limit, key);
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Suppression add(Caller caller, @RequestBody SuppressionRequest request) {
        return suppressions.add(caller.accountId(), request.email(), request.reason(), request.detail());
    }

    @DeleteMapping("/{email}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void remove(Caller caller, @PathVariable String email) {
        suppressions.remove(caller.accountId(), email);
    }

    @Schema(name = "SuppressionRequest")
    record SuppressionRequest(String email, @Schema(description = "MANUAL (default), HARD_BOUNCE, COMPLAINT, UNSUBSCRIBE")
            String reason, String detail) {
    }
}
