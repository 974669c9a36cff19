package io.mailtree.audit.api;

import io.mailtree.audit.AuditLog;
import io.mailtree.shared.Caller;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/audit}: the audit log, newest first (D-32). */
@RestController
@RequiresPermission(Permission.ACCOUNT_SETTINGS)
@Tag(name = "Audit")
class AuditApi {

    private final AuditLog audit;

    AuditApi(AuditLog audit) {
        this.audit = audit;
    }

    @GetMapping("/api/v1/audit")
    @Operation(summary = "The audit log", description = "A master's log covers its sub-accounts too.")
    PageOf<AuditLog.AuditEntry> list(Caller caller, @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        return audit.list(caller.accountId(), caller.master(), new PageRequest(page, size));
    }
}
