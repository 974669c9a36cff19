package io.mailtree.content.api;

import io.mailtree.content.Emails;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** D-25: {@code GET /api/v1/subaccounts/emails}, the master's view of its sub-accounts' e-mails. */
@RestController
@RequiresPermission(Permission.SUBACCOUNTS)
@Tag(name = "Sub-accounts")
class SubaccountEmailsApi {

    private final Emails emails;

    SubaccountEmailsApi(Emails emails) {
        this.emails = emails;
    }

    @GetMapping("/api/v1/subaccounts/emails")
    @Operation(summary = "E-mails across all sub-accounts (D-25)", description = "Filter by status and subaccountId.")
    PageOf<Row> list(Caller caller, @RequestParam(required = false) String status,
            @RequestParam(required = false) String subaccountId, @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        AccountId sub = subaccountId == null || subaccountId.isBlank() ? null
                : AccountId.parse(subaccountId).orElseThrow(io.mailtree.accounts.SubaccountNotFound::new);
        return emails.acrossSubaccounts(caller, EmailsApi.status(status), sub, new PageRequest(page, size))
                .map(o -> new Row(o.email().id(), o.accountId(), o.accountName(), o.email().name(),
                        o.email().subject(), o.email().type().name(), o.email().status().name(), o.email().missing(),
                        o.email().sentAt(), o.email().updatedAt()));
    }

    /** One line of the oversight list; statistics columns come with sending. */
    record Row(long id, String subaccountId, String subaccountName, String name, String subject, String type,
            String status, List<String> missing, java.time.Instant sentAt, java.time.Instant updatedAt) {
    }
}
