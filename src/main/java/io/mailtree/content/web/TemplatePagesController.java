package io.mailtree.content.web;

import io.mailtree.shared.InvalidFields;
import io.mailtree.shared.web.FieldErrors;
import io.mailtree.accounts.sharing.SharePicker;
import io.mailtree.content.ContentSharing;
import io.mailtree.content.HtmlText;
import io.mailtree.content.Template;
import io.mailtree.content.TemplateLanguage;
import io.mailtree.content.Templates;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
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
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Templates: the list with three ways to start (blank, a built-in layout, an HTML file); a
 * template's editor with its syntax errors at line and column, the text part generated from the
 * HTML on request, a sandboxed preview for a contact, and sharing with sub-accounts (D-26).
 */
@Controller
@RequiresPermission(Permission.CONTENT)
class TemplatePagesController {

    private final Templates templates;
    private final TemplateLanguage language;
    private final ContentSharing sharing;
    private final SharePicker sharePicker;
    private final Previews previews;

    TemplatePagesController(Templates templates, TemplateLanguage language, ContentSharing sharing, SharePicker sharePicker,
            Previews previews) {
        this.templates = templates;
        this.language = language;
        this.sharing = sharing;
        this.sharePicker = sharePicker;
        this.previews = previews;
    }

    @GetMapping("/templates")
    String list(Caller caller, @RequestParam(defaultValue = "0") int page, @RequestParam(required = false) String error,
            Model model) {
        model.addAttribute("problemCode", PageIds.uploadError(error));
        prepareList(caller, page, model);
        return "content/templates";
    }

    /** Creates a blank template, or one from a built-in layout. */
    @PostMapping("/templates")
    String create(Caller caller, @RequestParam(defaultValue = "") String name,
            @RequestParam(defaultValue = "") String layout, Model model, RedirectAttributes redirect) {
        try {
            Template created = templates.create(caller, name, null, layout.isBlank() ? "" : null, null, layout);
            redirect.addFlashAttribute("notice", "templates.createdNotice");
            redirect.addFlashAttribute("noticeArg", created.name());
            return "redirect:/templates/" + created.id();
        } catch (DomainProblem problem) {
            model.addAttribute("fieldErrors", new FieldErrors().addOr("name", problem));
            model.addAttribute("name", name);
            model.addAttribute("layout", layout);
            prepareList(caller, 0, model);
            return "content/templates";
        }
    }

    /** Creates a template from an uploaded HTML file (UTF-8); the text part is generated from it. */
    @PostMapping("/templates/upload")
    String upload(Caller caller, @RequestParam(name = "file", required = false) MultipartFile file,
            @RequestParam(defaultValue = "") String name, Model model, RedirectAttributes redirect) throws IOException {
        try {
            if (file == null || file.isEmpty()) {
                throw DomainProblem.invalid("empty_file", "the file is empty").with("field", "file");
            }
            byte[] bytes;
            try (InputStream in = file.getInputStream()) {
                bytes = in.readNBytes(Templates.MAX_HTML * 4 + 1);
            }
            if (bytes.length > Templates.MAX_HTML * 4) {
                throw DomainProblem.invalid("html_too_long", "the HTML may have at most " + Templates.MAX_HTML
                        + " characters", Templates.MAX_HTML);
            }
            String templateName = name.isBlank() ? baseName(file.getOriginalFilename()) : name;
            Template created = templates.create(caller, templateName, null,
                    new String(bytes, StandardCharsets.UTF_8), null);
            redirect.addFlashAttribute("notice", "templates.createdNotice");
            redirect.addFlashAttribute("noticeArg", created.name());
            return "redirect:/templates/" + created.id();
        } catch (DomainProblem problem) {
            showProblem(problem, model);
            model.addAttribute("uploadName", name);
            prepareList(caller, 0, model);
            return "content/templates";
        }
    }

    /** The upload refused before the controller (too large, malformed) comes back here as a GET. */
    @GetMapping("/templates/upload")
    String uploadRefused(@RequestParam(required = false) String error) {
        String code = PageIds.uploadError(error);
        return code == null ? "redirect:/templates" : "redirect:/templates?error=" + code;
    }

    @GetMapping("/templates/{id}")
    String edit(Caller caller, @PathVariable String id, @RequestParam(required = false) String contactId,
            Model model) {
        Template template = templates.get(caller.accountId(), templateId(id));
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", template.name());
        form.put("subject", template.subject() == null ? "" : template.subject());
        form.put("html", template.html() == null ? "" : template.html());
        form.put("text", template.text() == null ? "" : template.text());
        prepareEdit(caller, template, form, PageIds.optional(contactId, "contact_not_found", "contact"), model);
        return "content/template";
    }

    /**
     * Saves the template; with {@code generateText}, fills the text part from the HTML as posted
     * and shows it without saving, so the person can review it first.
     */
    @PostMapping("/templates/{id}")
    String update(Caller caller, @PathVariable String id, @RequestParam(defaultValue = "") String name,
            @RequestParam(defaultValue = "") String subject, @RequestParam(defaultValue = "") String html,
            @RequestParam(defaultValue = "") String text, @RequestParam(required = false) String generateText,
            Model model, RedirectAttributes redirect) {
        long templateId = templateId(id);
        Template template = templates.get(caller.accountId(), templateId);
        html = PageIds.lines(html);
        text = PageIds.lines(text);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", name);
        form.put("subject", subject);
        form.put("html", html);
        form.put("text", text);
        if (generateText != null) {
            form.put("text", HtmlText.from(html));
            model.addAttribute("notice", "templates.textGenerated");
            prepareEdit(caller, template, form, null, model);
            return "content/template";
        }
        try {
            Template saved = templates.update(caller, templateId, name, subject, html, text);
            redirect.addFlashAttribute("notice", "templates.saved");
            redirect.addFlashAttribute("noticeArg", saved.name());
            return "redirect:/templates/" + templateId;
        } catch (DomainProblem problem) {
            if (problem.status() == 404) {
                throw problem;
            }
            showProblem(problem, model);
            prepareEdit(caller, template, form, null, model);
            return "content/template";
        }
    }

    @PostMapping("/templates/{id}/delete")
    String delete(Caller caller, @PathVariable String id, RedirectAttributes redirect) {
        long templateId = templateId(id);
        Template template = templates.get(caller.accountId(), templateId);
        templates.delete(caller, templateId);
        redirect.addFlashAttribute("notice", "templates.deleted");
        redirect.addFlashAttribute("noticeArg", template.name());
        return "redirect:/templates";
    }

    @PostMapping("/templates/{id}/share")
    String share(Caller caller, @PathVariable String id,
            @RequestParam(name = "subaccountId", required = false) List<String> targets, RedirectAttributes redirect) {
        long templateId = templateId(id);
        sharePicker.flash(caller, redirect,
                () -> sharing.shareTemplate(caller, templateId, targets == null ? List.of() : targets));
        return "redirect:/templates/" + templateId + "#share";
    }

    /** The template rendered for a contact (or sample values), sandboxed: see {@link Previews}. */
    @GetMapping("/templates/{id}/preview.html")
    void preview(Caller caller, @PathVariable String id, @RequestParam(required = false) String contactId,
            HttpServletResponse response) throws IOException {
        Template template = templates.get(caller.accountId(), templateId(id));
        Map<String, Object> values = previews.values(caller.accountId(),
                PageIds.optional(contactId, "contact_not_found", "contact"));
        Previews.write(response, language.render(template.html(), TemplateLanguage.Part.HTML, values));
    }

    private void prepareList(Caller caller, int page, Model model) {
        model.addAttribute("templates", templates.list(caller.accountId(), new PageRequest(Math.max(page, 0), 50)));
        model.addAttribute("layouts", Templates.LAYOUTS);
    }

    private void prepareEdit(Caller caller, Template template, Map<String, String> form, Long contactId, Model model) {
        model.addAttribute("template", template);
        model.addAttribute("form", form);
        model.addAttribute("contacts", previews.contacts(caller.accountId()));
        model.addAttribute("contactId", contactId);
        String subject = "";
        try {
            subject = language.render(template.subject(), TemplateLanguage.Part.SUBJECT,
                    previews.values(caller.accountId(), contactId));
        } catch (DomainProblem unrenderable) {
            subject = template.subject();
        }
        model.addAttribute("previewSubject", subject);
        model.addAttribute("previewUrl", "/templates/" + template.id() + "/preview.html");
        sharePicker.addTargets(caller, model);
    }

    /**
     * Every refused field beside its field; a syntax error also in its own panel, at its line and
     * column (the first one, when several parts have one); a refusal naming no field above the form.
     */
    static void showProblem(DomainProblem problem, Model model) {
        showProblem(problem, model, java.util.function.Function.identity());
    }

    /** {@link #showProblem(DomainProblem, Model)} where the page's inputs are {@code inputOf} the service's fields. */
    static void showProblem(DomainProblem problem, Model model, java.util.function.Function<String, String> inputOf) {
        FieldErrors errors = new FieldErrors();
        List<DomainProblem> refusals = problem instanceof InvalidFields several
                ? several.errors().stream().map(InvalidFields.FieldProblem::problem).toList() : List.of(problem);
        refusals.stream().filter(p -> "template_syntax_error".equals(p.code())).findFirst()
                .ifPresent(syntax -> model.addAttribute("syntaxError", SyntaxError.of(syntax)));
        if (errors.add(problem, inputOf, null)) {
            model.addAttribute("fieldErrors", errors);
        } else if (!model.containsAttribute("syntaxError")) {
            model.addAttribute("problem", problem);
        }
    }

    private static String baseName(String fileName) {
        String name = fileName == null ? "" : fileName.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        name = dot > 0 ? name.substring(0, dot) : name;
        name = name.replaceAll("\\p{Cntrl}", " ").strip();
        if (name.isEmpty()) {
            return "Template";
        }
        return name.length() > 100 ? name.substring(0, 100) : name;
    }

    private static long templateId(String id) {
        return PageIds.parse(id, "template_not_found", "template");
    }

    /** A syntax error of a part: which part, where, and the parser's reason (in English). */
    record SyntaxError(String part, int line, int column, String reason) {

        static SyntaxError of(DomainProblem problem) {
            Object[] args = problem.arguments();
            String part = args.length > 0 ? String.valueOf(args[0]) : "html";
            int line = args.length > 1 && args[1] instanceof Number n ? n.intValue() : 0;
            int column = args.length > 2 && args[2] instanceof Number n ? n.intValue() : 0;
            String reason = args.length > 3 ? String.valueOf(args[3]) : problem.getMessage();
            return new SyntaxError(part, line, column, reason);
        }
    }
}
