package io.mailtree.contacts.web;

import io.mailtree.contacts.ContactImports;
import io.mailtree.contacts.ContactList;
import io.mailtree.contacts.ContactLists;
import io.mailtree.contacts.ContactProperties;
import io.mailtree.contacts.ImportJob;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.RefusalArguments;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.mailtree.shared.Texts;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The import wizard. The upload is kept in a temporary file while the person maps its columns
 * (with the header and the first rows in view); confirming starts the import from that file and
 * opens its progress page, which refreshes itself with htmx until the job is finished.
 */
@Controller
@RequiresPermission(Permission.CONTACTS)
class ImportPagesController {

    static final List<String> CHARSETS = List.of("UTF-8", "windows-1252", "ISO-8859-1", "Shift_JIS");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ContactImports imports;
    private final ContactLists lists;
    private final ContactProperties properties;

    ImportPagesController(ContactImports imports, ContactLists lists, ContactProperties properties) {
        this.imports = imports;
        this.lists = lists;
        this.properties = properties;
    }

    @GetMapping("/imports")
    String recent(Caller caller, Model model) {
        model.addAttribute("jobs", imports.recent(caller.accountId()));
        return "contacts/imports";
    }

    @GetMapping("/imports/new")
    String form(Caller caller, @RequestParam(required = false) String listId, Model model) {
        prepareForm(caller, model);
        model.addAttribute("listId", listId);
        return "contacts/import-new";
    }

    /** Step 1: stores the upload in a temporary file, then shows the mapping step (post, redirect, get). */
    @PostMapping("/imports/new")
    String upload(Caller caller, @RequestParam(name = "file", required = false) MultipartFile file,
            @RequestParam(defaultValue = "UTF-8") String charset, @RequestParam(required = false) String listId,
            @RequestParam(defaultValue = "") String newListName, HttpSession session, Model model,
            RedirectAttributes redirect) throws IOException {
        Path stored = null;
        try {
            if (file == null || file.isEmpty()) {
                throw DomainProblem.invalid("empty_file", "the file is empty").with("field", "file");
            }
            if (!CHARSETS.contains(charset)) {
                throw DomainProblem.invalid("unsupported_charset", "unknown charset: " + charset, charset);
            }
            Long list = WebIds.optionalList(listId);
            if (list != null) {
                lists.get(caller.accountId(), list);
            }
            String newList = newListName.isBlank() ? null : Texts.name(newListName, 100);
            stored = Files.createTempFile("mailtree-import-", ".csv");
            try (InputStream in = file.getInputStream()) {
                Files.copy(in, stored, StandardCopyOption.REPLACE_EXISTING);
            }
            io.mailtree.contacts.UploadedFileType.requireText(stored);
            CsvPreview preview = preview(stored, charset);
            PendingUploads.Upload upload = new PendingUploads.Upload(token(), stored.toString(),
                    fileName(file.getOriginalFilename()), charset, newList == null ? list : null, newList,
                    preview.headers());
            PendingUploads.of(session).put(upload);
            stored = null;
            redirect.addAttribute("token", upload.token());
            return "redirect:/imports/mapping";
        } catch (DomainProblem problem) {
            if (problem.status() == 404) {
                throw problem;
            }
            model.addAttribute("problem", problem);
            model.addAttribute("charset", charset);
            model.addAttribute("listId", listId);
            model.addAttribute("newListName", newListName);
            prepareForm(caller, model);
            return "contacts/import-new";
        } finally {
            if (stored != null) {
                Files.deleteIfExists(stored);
            }
        }
    }

    /** Step 2: the mapping form, with the header and the first rows of the stored upload. */
    @GetMapping("/imports/mapping")
    String mappingForm(Caller caller, @RequestParam(defaultValue = "") String token, HttpSession session, Model model,
            RedirectAttributes redirect) throws IOException {
        Optional<PendingUploads.Upload> found = PendingUploads.of(session).get(token);
        if (found.isEmpty() || !Files.exists(found.get().path())) {
            PendingUploads.of(session).remove(token);
            redirect.addFlashAttribute("problemCode", "upload_expired");
            return "redirect:/imports/new";
        }
        prepareMapping(caller, found.get(), preview(found.get().path(), found.get().charset()), null, model);
        return "contacts/import-mapping";
    }

    /** Step 3: the mapping is confirmed; the import starts from the stored file, which is then deleted. */
    @PostMapping("/imports/confirm")
    String confirm(Caller caller, @RequestParam(defaultValue = "") String token,
            @RequestParam(name = "role", required = false) List<String> roles, HttpSession session, Model model,
            RedirectAttributes redirect) throws IOException {
        PendingUploads pending = PendingUploads.of(session);
        Optional<PendingUploads.Upload> found = pending.get(token);
        if (found.isEmpty() || !Files.exists(found.get().path())) {
            pending.remove(token);
            redirect.addFlashAttribute("problemCode", "upload_expired");
            return "redirect:/imports/new";
        }
        PendingUploads.Upload upload = found.get();
        List<String> chosen = roles == null ? List.of() : roles;
        try {
            Map<String, String> mapping = mapping(upload.headers(), chosen);
            Long listId = upload.listId();
            if (upload.newListName() != null) {
                ContactList created = lists.create(caller, upload.newListName());
                listId = created.id();
                // The list exists now: a second click must not create another one.
                pending.put(new PendingUploads.Upload(upload.token(), upload.file(), upload.fileName(),
                        upload.charset(), listId, null, upload.headers()));
            }
            ImportJob job;
            try (InputStream in = Files.newInputStream(upload.path())) {
                job = imports.start(caller, upload.fileName(), in, listId, mapping,
                        "UTF-8".equals(upload.charset()) ? null : upload.charset());
            }
            pending.remove(token);
            return "redirect:/imports/" + job.id();
        } catch (DomainProblem problem) {
            if (problem.status() == 413) {
                pending.remove(token);
                redirect.addFlashAttribute("problemCode", problem.code());
                redirect.addFlashAttribute("problemArgs", problem.arguments());
                return "redirect:/imports/new";
            }
            model.addAttribute("problem", problem);
            PendingUploads.Upload current = pending.get(token).orElse(upload);
            prepareMapping(caller, current, preview(current.path(), current.charset()), chosen, model);
            return "contacts/import-mapping";
        }
    }

    /** The progress page; an htmx poll (HX-Request) gets the progress block alone. */
    @GetMapping("/imports/{id}")
    String job(Caller caller, @PathVariable String id,
            @RequestHeader(name = "HX-Request", required = false) String htmx, Model model) {
        ImportJob job = imports.get(caller.accountId(), WebIds.importId(id));
        model.addAttribute("job", job);
        model.addAttribute("hasErrors", job.rowsInvalid() > 0 && job.finished()
                && imports.errorReport(caller.accountId(), job.id()).isPresent());
        Object[] reasonArgs = reasonArgs(job);
        model.addAttribute("reasonKey", job.code() == null || reasonArgs == null ? null : "imports.reason." + job.code());
        model.addAttribute("reasonArgs", reasonArgs == null ? new Object[0] : reasonArgs);
        model.addAttribute("list", job.listId() == null ? null : listOrNull(caller, job.listId()));
        return htmx != null ? "contacts/import :: progress" : "contacts/import";
    }

    /** The invalid rows: line, email, code, reason. */
    @GetMapping("/imports/{id}/errors.csv")
    void errors(Caller caller, @PathVariable String id, HttpServletResponse response) throws IOException {
        ImportJob job = imports.get(caller.accountId(), WebIds.importId(id));
        Path report = imports.errorReport(caller.accountId(), job.id())
                .orElseThrow(() -> DomainProblem.notFound("no_error_report", "error report"));
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition",
                "attachment; filename=\"import-errors-" + job.id().toString().substring(0, 8) + ".csv\"");
        response.setContentLengthLong(Files.size(report));
        Files.copy(report, response.getOutputStream());
    }

    // --- helpers ---------------------------------------------------------------------------------

    private void prepareForm(Caller caller, Model model) {
        model.addAttribute("lists", lists.list(caller.accountId(), new PageRequest(0, PageRequest.MAX_SIZE)).items());
        model.addAttribute("charsets", CHARSETS);
        if (!model.containsAttribute("charset")) {
            model.addAttribute("charset", "UTF-8");
        }
    }

    private void prepareMapping(Caller caller, PendingUploads.Upload upload, CsvPreview preview, List<String> chosen,
            Model model) {
        model.addAttribute("upload", upload);
        model.addAttribute("preview", preview);
        model.addAttribute("columns", preview.columns(properties.byKey(caller.accountId()), chosen));
        model.addAttribute("list", upload.listId() == null ? null : listOrNull(caller, upload.listId()));
    }

    private static CsvPreview preview(Path file, String charset) throws IOException {
        CsvPreview preview;
        try {
            preview = CsvPreview.read(file, Charset.forName(charset));
        } catch (CharacterCodingException notDecodable) {
            throw "UTF-8".equals(charset)
                    ? DomainProblem.invalid("not_utf8", "the file is not UTF-8").with("field", "charset")
                    : DomainProblem.invalid("invalid_charset", "the file does not decode as " + charset, charset)
                            .with("field", "charset");
        }
        if (preview == null) {
            throw DomainProblem.invalid("empty_file", "the file is empty").with("field", "file");
        }
        return preview;
    }

    /** Header to role, as {@link ContactImports#start} takes it; exactly one column must be the e-mail. */
    private static Map<String, String> mapping(List<String> headers, List<String> roles) {
        if (roles.size() != headers.size()) {
            throw DomainProblem.invalid("invalid_mapping", "choose a role for every column");
        }
        Map<String, String> mapping = new LinkedHashMap<>();
        long emails = roles.stream().filter("email"::equals).count();
        if (emails == 0) {
            throw DomainProblem.invalid("no_email_column", "no column holds the e-mail address");
        }
        if (emails > 1) {
            throw DomainProblem.invalid("several_email_columns", "only one column can hold the e-mail address");
        }
        if (roles.stream().filter("name"::equals).count() > 1) {
            throw DomainProblem.invalid("several_name_columns", "only one column can hold the name");
        }
        for (int i = 0; i < headers.size(); i++) {
            String header = headers.get(i).strip();
            String role = roles.get(i);
            if (!mapping.containsKey(header) || "ignore".equals(mapping.get(header))) {
                mapping.put(header, role);
            }
        }
        return mapping;
    }

    /**
     * The arguments of a refusal's translated reason, taken by name from those the job keeps (never
     * read back from its English message); null when they are missing (a job finished before they
     * were kept), and the stored message is shown instead.
     */
    private static Object[] reasonArgs(ImportJob job) {
        if (job.code() == null) {
            return new Object[0];
        }
        return switch (job.code()) {
            case "contact_allowance_exceeded" -> RefusalArguments.positional(job.arguments(), "requested", "available");
            case "file_too_large" -> RefusalArguments.positional(job.arguments(), "maxBytes");
            default -> new Object[0];
        };
    }

    private ContactList listOrNull(Caller caller, long listId) {
        try {
            return lists.get(caller.accountId(), listId);
        } catch (DomainProblem deleted) {
            return null;
        }
    }

    private static String token() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String fileName(String original) {
        if (original == null || original.isBlank()) {
            return "upload.csv";
        }
        String name = original.replace('\\', '/');
        return name.substring(name.lastIndexOf('/') + 1);
    }
}
