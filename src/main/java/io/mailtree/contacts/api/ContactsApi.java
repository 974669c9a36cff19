package io.mailtree.contacts.api;

import io.mailtree.contacts.Contact;
import io.mailtree.contacts.ContactStatus;
import io.mailtree.contacts.Contacts;
import io.mailtree.contacts.CsvExport;
import io.mailtree.contacts.CursorPage;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Ids;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
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

/** {@code /api/v1/contacts}: create, read, update, delete, search with a keyset cursor, export. */
@RestController
@RequestMapping("/api/v1/contacts")
@RequiresPermission(Permission.CONTACTS)
@Tag(name = "Contacts")
class ContactsApi {

    private final Contacts contacts;
    private final CsvExport export;

    ContactsApi(Contacts contacts, CsvExport export) {
        this.contacts = contacts;
        this.export = export;
    }

    @GetMapping
    @Operation(summary = "Search contacts", description = """
            Keyset pagination: pass nextCursor back as cursor; null means the last page. q searches address
            and name; property=key:value matches a custom property.""")
    CursorPage<ContactJson> search(Caller caller, @RequestParam(required = false) String cursor,
            @RequestParam(defaultValue = "100") int limit, @RequestParam(required = false) String q,
            @RequestParam(required = false) String status, @RequestParam(required = false) Long listId,
            @RequestParam(required = false) String property) {
        CursorPage<Contact> page = contacts.search(caller.accountId(), query(q, status, listId, property), cursor, limit);
        return new CursorPage<>(page.items().stream().map(ContactJson::of).toList(), page.nextCursor(), page.limit());
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a contact", description = "A subscribed contact takes one from the allowance (D-11).")
    ContactJson create(Caller caller, @RequestBody ContactRequest request) {
        return ContactJson.of(contacts.create(caller.accountId(), request.email(), request.name(), request.status(),
                request.properties()));
    }

    @GetMapping("/{id}")
    ContactJson get(Caller caller, @PathVariable String id) {
        return ContactJson.of(contacts.get(caller.accountId(), Ids.positive(id, "contact_not_found", "contact")));
    }

    @PatchMapping("/{id}")
    ContactJson update(Caller caller, @PathVariable String id, @RequestBody ContactRequest request) {
        if (request.email() != null) {
            throw DomainProblem.invalid("email_immutable", "a contact's address cannot change; create another contact")
                    .with("field", "email");
        }
        return ContactJson.of(contacts.update(caller.accountId(), Ids.positive(id, "contact_not_found", "contact"),
                request.name(), request.status(), request.properties()));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(Caller caller, @PathVariable String id) {
        contacts.delete(caller.accountId(), Ids.positive(id, "contact_not_found", "contact"));
    }

    @GetMapping(value = "/export")
    @Operation(summary = "Export contacts as CSV", description = "Same filters as the search; formula-safe cells.")
    void exportCsv(Caller caller, @RequestParam(required = false) String q, @RequestParam(required = false) String status,
            @RequestParam(required = false) Long listId, @RequestParam(required = false) String property,
            HttpServletResponse response) throws IOException {
        Contacts.Query query = query(q, status, listId, property);
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"contacts.csv\"");
        export.write(caller.accountId(), query, new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8));
    }

    static Contacts.Query query(String q, String status, Long listId, String property) {
        String key = null;
        String value = null;
        if (property != null && !property.isBlank()) {
            int colon = property.indexOf(':');
            if (colon < 1) {
                throw DomainProblem.invalid("invalid_property_filter", "property filters read key:value");
            }
            key = property.substring(0, colon);
            value = property.substring(colon + 1);
        }
        return new Contacts.Query(q, status == null || status.isBlank() ? null : ContactStatus.parse(status), listId, key,
                value);
    }

    @Schema(name = "ContactRequest")
    record ContactRequest(@Schema(description = "Address; required on create, immutable after") String email,
            String name, @Schema(description = "SUBSCRIBED (default), UNSUBSCRIBED, BOUNCED or COMPLAINED") String status,
            @Schema(description = "Custom property values by key, typed by the property's definition")
            Map<String, Object> properties) {
    }

    @Schema(name = "Contact")
    record ContactJson(long id, String email, String name, String status, Map<String, Object> properties,
            java.time.Instant createdAt, java.time.Instant updatedAt) {

        static ContactJson of(Contact contact) {
            return new ContactJson(contact.id(), contact.email(), contact.name(), contact.status().name(),
                    contact.properties(), contact.createdAt(), contact.updatedAt());
        }
    }
}
