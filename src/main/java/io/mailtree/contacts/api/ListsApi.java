package io.mailtree.contacts.api;

import io.mailtree.accounts.sharing.ShareResult;
import io.mailtree.contacts.ContactList;
import io.mailtree.contacts.ContactLists;
import io.mailtree.contacts.Contacts;
import io.mailtree.contacts.CsvExport;
import io.mailtree.contacts.CursorPage;
import io.mailtree.contacts.Sharing;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Ids;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/lists}: lists, their members, export, and sharing with sub-accounts (D-26, D-28). */
@RestController
@RequestMapping("/api/v1/lists")
@RequiresPermission(Permission.CONTACTS)
@Tag(name = "Lists")
class ListsApi {

    private final ContactLists lists;
    private final Contacts contacts;
    private final Sharing sharing;
    private final CsvExport export;

    ListsApi(ContactLists lists, Contacts contacts, Sharing sharing, CsvExport export) {
        this.lists = lists;
        this.contacts = contacts;
        this.sharing = sharing;
        this.export = export;
    }

    @GetMapping
    PageOf<ContactList> list(Caller caller, @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        return lists.list(caller.accountId(), new PageRequest(page, size));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    ContactList create(Caller caller, @RequestBody ListRequest request) {
        return lists.create(caller, request.name());
    }

    @GetMapping("/{id}")
    ContactList get(Caller caller, @PathVariable String id) {
        return lists.get(caller.accountId(), listId(id));
    }

    @PatchMapping("/{id}")
    ContactList rename(Caller caller, @PathVariable String id, @RequestBody ListRequest request) {
        return lists.rename(caller, listId(id), request.name());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(Caller caller, @PathVariable String id) {
        lists.delete(caller, listId(id));
    }

    @GetMapping("/{id}/contacts")
    @Operation(summary = "The list's members, with a keyset cursor")
    CursorPage<ContactsApi.ContactJson> members(Caller caller, @PathVariable String id,
            @RequestParam(required = false) String cursor, @RequestParam(defaultValue = "100") int limit) {
        long list = listId(id);
        lists.get(caller.accountId(), list);
        var page = contacts.search(caller.accountId(), new Contacts.Query(null, null, list, null, null), cursor, limit);
        return new CursorPage<>(page.items().stream().map(ContactsApi.ContactJson::of).toList(), page.nextCursor(),
                page.limit());
    }

    @PostMapping("/{id}/contacts")
    @Operation(summary = "Add members", description = """
            {"emails": [...]} creates missing contacts as subscribed (all within the allowance, or none: D-11);
            {"contactIds": [...]} adds existing ones. Up to 10,000 a call.""")
    ContactLists.AddResult add(Caller caller, @PathVariable String id, @RequestBody MembersRequest request) {
        long list = listId(id);
        if (request.emails() != null && request.contactIds() != null) {
            throw DomainProblem.invalid("emails_or_contact_ids", "give emails or contactIds, not both");
        }
        if (request.emails() != null) {
            return lists.addEmails(caller.accountId(), list, request.emails());
        }
        return lists.addContactIds(caller.accountId(), list, request.contactIds());
    }

    @PostMapping("/{id}/contacts/remove")
    @Operation(summary = "Remove members", description = "{\"contactIds\": [...]}; the contacts stay in the account.")
    Map<String, Integer> remove(Caller caller, @PathVariable String id, @RequestBody MembersRequest request) {
        return Map.of("removed", lists.removeContactIds(caller.accountId(), listId(id), request.contactIds()));
    }

    @PostMapping("/{id}/share")
    @Operation(summary = "Share the list with sub-accounts (D-26, D-28)", description = """
            Copies the list and its subscribed contacts into each sub-account; each copy counts in its own account
            (D-9). A target short of allowance is refused with the numbers while the others proceed.""")
    Map<String, List<ShareResult>> share(Caller caller, @PathVariable String id, @RequestBody ShareRequest request) {
        return Map.of("results", sharing.shareList(caller, listId(id), request.subaccountIds()));
    }

    @GetMapping(value = "/{id}/export")
    void exportCsv(Caller caller, @PathVariable String id, HttpServletResponse response) throws IOException {
        long list = listId(id);
        lists.get(caller.accountId(), list);
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"list-" + list + ".csv\"");
        export.write(caller.accountId(), new Contacts.Query(null, null, list, null, null),
                new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8));
    }

    private static long listId(String id) {
        return Ids.positive(id, "list_not_found", "list");
    }

    @Schema(name = "ListRequest")
    record ListRequest(String name) {
    }

    @Schema(name = "MembersRequest")
    record MembersRequest(List<String> emails, List<Long> contactIds) {
    }

    @Schema(name = "ShareRequest")
    record ShareRequest(@Schema(description = "Ids of the master's sub-accounts") List<String> subaccountIds) {
    }
}
