package io.mailtree.contacts.web;

import io.mailtree.shared.web.FieldErrors;
import io.mailtree.contacts.Contact;
import io.mailtree.contacts.ContactLists;
import io.mailtree.contacts.ContactProperties;
import io.mailtree.contacts.ContactProperty;
import io.mailtree.contacts.ContactStatus;
import io.mailtree.contacts.Contacts;
import io.mailtree.contacts.CsvExport;
import io.mailtree.contacts.CursorPage;
import io.mailtree.contacts.PropertyType;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The contacts page (search, keyset pages, a create form with one field per custom property, CSV
 * export of the search), a contact's edit page, and the custom properties page.
 */
@Controller
@RequiresPermission(Permission.CONTACTS)
class ContactPagesController {

    static final int PAGE = 50;
    static final String PROPERTY_FIELD = "prop_";

    private final Contacts contacts;
    private final ContactProperties properties;
    private final ContactLists lists;
    private final CsvExport export;
    private final ContactValues values;

    ContactPagesController(Contacts contacts, ContactProperties properties, ContactLists lists, CsvExport export,
            ContactValues values) {
        this.contacts = contacts;
        this.properties = properties;
        this.lists = lists;
        this.export = export;
        this.values = values;
    }

    @GetMapping("/contacts")
    String search(Caller caller, @RequestParam(required = false) String q,
            @RequestParam(required = false) String status, @RequestParam(required = false) String listId,
            @RequestParam(required = false) String cursor, Model model) {
        prepareSearch(caller, q, status, listId, cursor, model);
        model.addAttribute("form", Map.of());
        return "contacts/contacts";
    }

    @PostMapping("/contacts")
    String create(Caller caller, @RequestParam(defaultValue = "") String email,
            @RequestParam(defaultValue = "") String name, @RequestParam(defaultValue = "SUBSCRIBED") String status,
            @RequestParam Map<String, String> params, Model model, RedirectAttributes redirect) {
        try {
            Contact created = contacts.create(caller.accountId(), email, name, status,
                    formValues(caller, params, false));
            redirect.addFlashAttribute("notice", "contacts.createdNotice");
            redirect.addFlashAttribute("noticeArg", created.email());
            return "redirect:/contacts";
        } catch (DomainProblem problem) {
            FieldErrors errors = new FieldErrors();
            errors.add(problem, ContactPagesController::inputOf, "email");
            model.addAttribute("fieldErrors", errors);
            model.addAttribute("form", params);
            prepareSearch(caller, null, null, null, null, model);
            return "contacts/contacts";
        }
    }

    @GetMapping("/contacts/{id}")
    String edit(Caller caller, @PathVariable String id, Model model) {
        Contact contact = contacts.get(caller.accountId(), WebIds.parse(id, "contact_not_found", "contact"));
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", contact.name() == null ? "" : contact.name());
        form.put("status", contact.status().name());
        contact.properties().forEach((key, value) -> form.put(PROPERTY_FIELD + key, values.text(value)));
        prepareEdit(caller, contact, form, model);
        return "contacts/contact";
    }

    @PostMapping("/contacts/{id}")
    String update(Caller caller, @PathVariable String id, @RequestParam(defaultValue = "") String name,
            @RequestParam(defaultValue = "SUBSCRIBED") String status, @RequestParam Map<String, String> params,
            Model model, RedirectAttributes redirect) {
        long contactId = WebIds.parse(id, "contact_not_found", "contact");
        Contact contact = contacts.get(caller.accountId(), contactId);
        try {
            contacts.update(caller.accountId(), contactId, name.isBlank() ? "" : name, status,
                    formValues(caller, params, true));
            redirect.addFlashAttribute("notice", "contacts.saved");
            redirect.addFlashAttribute("noticeArg", contact.email());
            return "redirect:/contacts/" + contactId;
        } catch (DomainProblem problem) {
            if (problem.status() == 404) {
                throw problem;
            }
            FieldErrors errors = new FieldErrors();
            errors.add(problem, ContactPagesController::inputOf, "name");
            model.addAttribute("fieldErrors", errors);
            prepareEdit(caller, contact, params, model);
            return "contacts/contact";
        }
    }

    @PostMapping("/contacts/{id}/delete")
    String delete(Caller caller, @PathVariable String id, RedirectAttributes redirect) {
        long contactId = WebIds.parse(id, "contact_not_found", "contact");
        Contact contact = contacts.get(caller.accountId(), contactId);
        contacts.delete(caller.accountId(), contactId);
        redirect.addFlashAttribute("notice", "contacts.deleted");
        redirect.addFlashAttribute("noticeArg", contact.email());
        return "redirect:/contacts";
    }

    /** The search as CSV, streamed: the same filters as the page, every page of it. */
    @GetMapping("/contacts/export.csv")
    void exportCsv(Caller caller, @RequestParam(required = false) String q,
            @RequestParam(required = false) String status, @RequestParam(required = false) String listId,
            HttpServletResponse response) throws IOException {
        Contacts.Query query = query(caller, q, status, listId);
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\""
                + (query.listId() == null ? "contacts" : "list-" + query.listId()) + ".csv\"");
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(response.getOutputStream(),
                StandardCharsets.UTF_8), 1 << 16);
        export.write(caller.accountId(), query, out);
        out.flush();
    }

    // --- custom properties -----------------------------------------------------------------------

    @GetMapping("/contacts/properties")
    String properties(Caller caller, Model model) {
        prepareProperties(caller, model);
        return "contacts/properties";
    }

    @PostMapping("/contacts/properties")
    String define(Caller caller, @RequestParam(defaultValue = "") String key,
            @RequestParam(defaultValue = "") String label, @RequestParam(defaultValue = "TEXT") String type,
            Model model, RedirectAttributes redirect) {
        try {
            ContactProperty defined = properties.define(caller.accountId(), key, label, type);
            redirect.addFlashAttribute("notice", "properties.defined");
            redirect.addFlashAttribute("noticeArg", defined.key());
            return "redirect:/contacts/properties";
        } catch (DomainProblem problem) {
            model.addAttribute("problem", problem);
            model.addAttribute("key", key);
            model.addAttribute("label", label);
            model.addAttribute("type", type);
            prepareProperties(caller, model);
            return "contacts/properties";
        }
    }

    @PostMapping("/contacts/properties/{key}/delete")
    String deleteProperty(Caller caller, @PathVariable String key, RedirectAttributes redirect) {
        properties.delete(caller.accountId(), key);
        redirect.addFlashAttribute("notice", "properties.deleted");
        redirect.addFlashAttribute("noticeArg", key);
        return "redirect:/contacts/properties";
    }

    // --- helpers ---------------------------------------------------------------------------------

    /** The form's input for a field the service names: a property's is {@code prop_<key>}. */
    static String inputOf(String field) {
        return field.startsWith(ContactProperties.FIELD_PREFIX)
                ? PROPERTY_FIELD + field.substring(ContactProperties.FIELD_PREFIX.length()) : field;
    }

    private void prepareSearch(Caller caller, String q, String status, String listId, String cursor, Model model) {
        Contacts.Query query = query(caller, q, status, listId);
        CursorPage<Contact> page = contacts.search(caller.accountId(), query, cursor, PAGE);
        model.addAttribute("page", page);
        model.addAttribute("nextUrl", page.nextCursor() == null ? null : link("/contacts", query, page.nextCursor()));
        model.addAttribute("q", q);
        model.addAttribute("status", query.status() == null ? null : query.status().name());
        model.addAttribute("listId", query.listId());
        model.addAttribute("cursor", cursor == null || cursor.isBlank() ? null : cursor);
        model.addAttribute("filtered", query.text() != null || query.status() != null || query.listId() != null);
        model.addAttribute("firstUrl", link("/contacts", query, null));
        model.addAttribute("exportUrl", link("/contacts/export.csv", query, null));
        model.addAttribute("statuses", ContactStatus.values());
        model.addAttribute("properties", properties.of(caller.accountId()));
        model.addAttribute("lists", lists.list(caller.accountId(), new PageRequest(0, PageRequest.MAX_SIZE)).items());
    }

    private void prepareEdit(Caller caller, Contact contact, Map<String, String> form, Model model) {
        model.addAttribute("contact", contact);
        model.addAttribute("form", form);
        model.addAttribute("statuses", ContactStatus.values());
        model.addAttribute("properties", properties.of(caller.accountId()));
    }

    private void prepareProperties(Caller caller, Model model) {
        model.addAttribute("properties", properties.of(caller.accountId()));
        model.addAttribute("types", PropertyType.values());
        model.addAttribute("max", ContactProperties.MAX_PROPERTIES);
    }

    /** A link to a page of the search, with only the filters in use. */
    private static String link(String path, Contacts.Query query, String cursor) {
        UriComponentsBuilder link = UriComponentsBuilder.fromPath(path);
        if (query.text() != null) {
            link.queryParam("q", query.text());
        }
        if (query.status() != null) {
            link.queryParam("status", query.status().name());
        }
        if (query.listId() != null) {
            link.queryParam("listId", query.listId());
        }
        if (cursor != null) {
            link.queryParam("cursor", cursor);
        }
        return link.encode().build().toUriString();
    }

    /** Filters from the query string; a list of another account answers 404 like any unknown list. */
    private Contacts.Query query(Caller caller, String q, String status, String listId) {
        Long list = WebIds.optionalList(listId);
        if (list != null) {
            lists.get(caller.accountId(), list);
        }
        ContactStatus parsed = status == null || status.isBlank() ? null : ContactStatus.parse(status);
        String text = q == null || q.isBlank() ? null : q.strip();
        return new Contacts.Query(text, parsed, list, null, null);
    }

    /**
     * The property fields of a form ({@code prop_<key>}), for the defined properties only. On
     * create, empty fields are left out; on update they are sent empty, which removes the value.
     */
    private Map<String, Object> formValues(Caller caller, Map<String, String> params, boolean includeEmpty) {
        Map<String, Object> values = new LinkedHashMap<>();
        List<ContactProperty> defined = properties.of(caller.accountId());
        for (ContactProperty property : defined) {
            String value = params.get(PROPERTY_FIELD + property.key());
            if (value != null && (includeEmpty || !value.isBlank())) {
                values.put(property.key(), value);
            }
        }
        return values;
    }
}
