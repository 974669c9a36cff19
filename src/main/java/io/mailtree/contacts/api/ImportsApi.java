package io.mailtree.contacts.api;

import io.mailtree.contacts.ContactImports;
import io.mailtree.contacts.ImportJob;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Ids;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** {@code /api/v1/imports}: CSV imports as jobs to poll. */
@RestController
@RequestMapping("/api/v1/imports")
@RequiresPermission(Permission.CONTACTS)
@Tag(name = "Imports")
class ImportsApi {

    private final ContactImports imports;

    ImportsApi(ContactImports imports) {
        this.imports = imports;
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Start a CSV import", description = """
            Multipart form: file (UTF-8 CSV with a header row; comma, semicolon or tab), optional listId,
            optional charset (e.g. windows-1252, Shift_JIS), optional mapping (JSON object: header -> email, name,
            ignore or property:<key>; by default columns are read by their headers). Answers 202 with the job;
            poll GET /api/v1/imports/{id}. Re-importing the same file changes nothing.""")
    ImportJob start(Caller caller, @RequestParam("file") MultipartFile file,
            @RequestParam(required = false) Long listId, @RequestParam(required = false) String mapping,
            @RequestParam(required = false) String charset) throws IOException {
        return imports.start(caller, file.getOriginalFilename(), file.getInputStream(), listId,
                ContactImports.parseMapping(mapping), charset);
    }

    @GetMapping
    Map<String, List<ImportJob>> recent(Caller caller) {
        return Map.of("items", imports.recent(caller.accountId()));
    }

    @GetMapping("/{id}")
    @Operation(summary = "An import's status", description = "status RUNNING, DONE, REFUSED or FAILED; code says why.")
    ImportJob get(Caller caller, @PathVariable String id) {
        return imports.get(caller.accountId(), importId(id));
    }

    @GetMapping(value = "/{id}/errors")
    @Operation(summary = "The invalid rows of an import: line, email, code, reason")
    void errors(Caller caller, @PathVariable String id, HttpServletResponse response) throws IOException {
        var report = imports.errorReport(caller.accountId(), importId(id))
                .orElseThrow(() -> DomainProblem.notFound("no_error_report", "error report"));
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"import-errors.csv\"");
        Files.copy(report, response.getOutputStream());
    }

    private static UUID importId(String id) {
        return Ids.parseUuid(id).orElseThrow(() -> DomainProblem.notFound("import_not_found", "import"));
    }
}
