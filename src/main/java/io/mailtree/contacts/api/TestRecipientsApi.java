package io.mailtree.contacts.api;

import io.mailtree.accounts.sharing.ShareResult;
import io.mailtree.contacts.Sharing;
import io.mailtree.contacts.TestRecipient;
import io.mailtree.contacts.TestRecipients;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Ids;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/test-recipients}: the addresses that receive test sends, and sharing them (D-26). */
@RestController
@RequestMapping("/api/v1/test-recipients")
@RequiresPermission(Permission.CONTACTS)
@Tag(name = "Test recipients")
class TestRecipientsApi {

    private final TestRecipients recipients;
    private final Sharing sharing;

    TestRecipientsApi(TestRecipients recipients, Sharing sharing) {
        this.recipients = recipients;
        this.sharing = sharing;
    }

    @GetMapping
    Map<String, List<TestRecipient>> list(Caller caller) {
        return Map.of("items", recipients.of(caller.accountId()));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    TestRecipient add(Caller caller, @RequestBody RecipientRequest request) {
        return recipients.add(caller.accountId(), request.email(), request.name());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void remove(Caller caller, @PathVariable String id) {
        recipients.remove(caller.accountId(), Ids.positive(id, "test_recipient_not_found", "test recipient"));
    }

    @PostMapping("/share")
    @Operation(summary = "Copy the test recipients into sub-accounts (D-26)")
    Map<String, List<ShareResult>> share(Caller caller, @RequestBody ListsApi.ShareRequest request) {
        return Map.of("results", sharing.shareTestRecipients(caller, request.subaccountIds()));
    }

    @Schema(name = "TestRecipientRequest")
    record RecipientRequest(String email, String name) {
    }
}
