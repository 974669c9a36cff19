package io.mailtree.content.api;

import io.mailtree.accounts.sharing.ShareResult;
import io.mailtree.content.ContentSharing;
import io.mailtree.content.HtmlText;
import io.mailtree.content.Template;
import io.mailtree.content.Templates;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Ids;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
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
import org.springframework.web.multipart.MultipartFile;

/** {@code /api/v1/templates}: layouts with personalisation; create blank, from a layout or an HTML file. */
@RestController
@RequestMapping("/api/v1/templates")
@RequiresPermission(Permission.CONTENT)
@Tag(name = "Templates")
class TemplatesApi {

    private final Templates templates;
    private final ContentSharing sharing;

    TemplatesApi(Templates templates, ContentSharing sharing) {
        this.templates = templates;
        this.sharing = sharing;
    }

    @GetMapping
    PageOf<Template> list(Caller caller, @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        return templates.list(caller.accountId(), new PageRequest(page, size));
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a template", description = """
            layout (one-column, two-column, announcement) starts from a built-in responsive layout; without text,
            the plain-text part is generated from the HTML. Syntax errors answer template_syntax_error with line and
            column.""")
    Template create(Caller caller, @RequestBody TemplateRequest request) {
        return templates.create(caller, request.name(), request.subject(), request.html(), request.text(),
                request.layout());
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Import an HTML file as a template")
    Template importHtml(Caller caller, @RequestParam("file") MultipartFile file, @RequestParam String name,
            @RequestParam(required = false) String subject) throws IOException {
        byte[] bytes = file.getInputStream().readNBytes(Templates.MAX_HTML * 4 + 1);
        if (bytes.length > Templates.MAX_HTML * 4) {
            throw new io.mailtree.shared.DomainProblem(413, "html_too_long", "the HTML file is too large");
        }
        return templates.create(caller, name, subject, new String(bytes, StandardCharsets.UTF_8), null);
    }

    @GetMapping("/{id}")
    Template get(Caller caller, @PathVariable String id) {
        return templates.get(caller.accountId(), templateId(id));
    }

    @PatchMapping("/{id}")
    Template update(Caller caller, @PathVariable String id, @RequestBody TemplateRequest request) {
        return templates.update(caller, templateId(id), request.name(), request.subject(), request.html(),
                request.text());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(Caller caller, @PathVariable String id) {
        templates.delete(caller, templateId(id));
    }

    @PostMapping("/text-from-html")
    @Operation(summary = "Generate a plain-text part from HTML")
    Map<String, String> textFromHtml(@RequestBody Map<String, String> body) {
        return Map.of("text", HtmlText.from(body.getOrDefault("html", "")));
    }

    @PostMapping("/{id}/share")
    @Operation(summary = "Copy the template (and the images it uses) into sub-accounts (D-26)")
    Map<String, List<ShareResult>> share(Caller caller, @PathVariable String id,
            @RequestBody ShareRequest request) {
        return Map.of("results", sharing.shareTemplate(caller, templateId(id), request.subaccountIds()));
    }

    private static long templateId(String id) {
        return Ids.positive(id, "template_not_found", "template");
    }

    @Schema(name = "TemplateRequest")
    record TemplateRequest(String name, String subject, String html, String text,
            @Schema(description = "one-column, two-column or announcement") String layout) {
    }
}
