package io.mailtree.content.web;

import io.mailtree.shared.FieldChecks;
import io.mailtree.shared.web.FieldErrors;
import io.mailtree.accounts.sharing.SharePicker;
import io.mailtree.contacts.ContactLists;
import io.mailtree.content.AbTest;
import io.mailtree.content.Attachment;
import io.mailtree.content.ContentSharing;
import io.mailtree.content.Email;
import io.mailtree.content.EmailDraft;
import io.mailtree.content.EmailStatus;
import io.mailtree.content.EmailType;
import io.mailtree.content.Emails;
import io.mailtree.content.HtmlText;
import io.mailtree.content.Images;
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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.ContentDisposition;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * E-mails (campaign drafts): the list with status badges; create from scratch or a template; the
 * editor with what is still missing, recipient lists, A/B-test settings, attachments, an image
 * from the library and a sandboxed preview for a contact; duplicate, delete, a report page, and
 * sharing with sub-accounts, offered only for regular drafts and sent e-mails (D-27).
 */
@Controller
@RequiresPermission(Permission.CAMPAIGNS)
class EmailPagesController {

    static final int MAX_VARIANTS = 5;

    private final Emails emails;
    private final Templates templates;
    private final ContactLists lists;
    private final Images images;
    private final ContentSharing sharing;
    private final SharePicker sharePicker;
    private final Previews previews;
    private final PublicUrls urls;
    private final io.mailtree.content.EmailReadiness readiness;

    EmailPagesController(Emails emails, Templates templates, ContactLists lists, Images images, ContentSharing sharing,
            SharePicker sharePicker, Previews previews, PublicUrls urls, io.mailtree.content.EmailReadiness readiness) {
        this.readiness = readiness;
        this.emails = emails;
        this.templates = templates;
        this.lists = lists;
        this.images = images;
        this.sharing = sharing;
        this.sharePicker = sharePicker;
        this.previews = previews;
        this.urls = urls;
    }

    // --- the list -------------------------------------------------------------------------------

    @GetMapping("/emails")
    String list(Caller caller, @RequestParam(required = false) String status,
            @RequestParam(defaultValue = "0") int page, Model model) {
        prepareList(caller, status, page, model);
        return "content/emails";
    }

    @PostMapping("/emails")
    String create(Caller caller, @RequestParam(defaultValue = "") String name,
            @RequestParam(required = false) String templateId, Model model, RedirectAttributes redirect) {
        try {
            FieldChecks checks = new FieldChecks();
            Long template = checks.check("templateId",
                    () -> PageIds.optional(templateId, "template_not_found", "template"));
            Email created = emails.create(caller, new EmailDraft(name, EmailType.REGULAR.name(), null,
                    null, null, null, template, null, null, null, null), checks);
            redirect.addFlashAttribute("notice", "emails.createdNotice");
            redirect.addFlashAttribute("noticeArg", created.name());
            return "redirect:/emails/" + created.id();
        } catch (DomainProblem problem) {
            model.addAttribute("fieldErrors", new FieldErrors().addOr(
                    problem.code().startsWith("template_") ? "templateId" : "name", problem));
            model.addAttribute("name", name);
            model.addAttribute("templateId", templateId);
            prepareList(caller, null, 0, model);
            return "content/emails";
        }
    }

    // --- one e-mail -----------------------------------------------------------------------------

    @GetMapping("/emails/{id}")
    String edit(Caller caller, @PathVariable String id, @RequestParam(required = false) String contactId,
            @RequestParam(required = false) String error, Model model) {
        Email email = emails.get(caller.accountId(), emailId(id));
        if (PageIds.uploadError(error) != null) {
            model.addAttribute("attachmentProblemCode", PageIds.uploadError(error));
        }
        prepareEdit(caller, email, EmailForm.of(email), PageIds.optional(contactId, "contact_not_found", "contact"),
                model);
        return "content/email";
    }

    /**
     * Saves the e-mail; with {@code generateText}, fills the text part from the HTML as posted and
     * shows it without saving.
     */
    @PostMapping("/emails/{id}")
    String update(Caller caller, @PathVariable String id, @RequestParam(defaultValue = "") String name,
            @RequestParam(defaultValue = "REGULAR") String type, @RequestParam(defaultValue = "") String subject,
            @RequestParam(defaultValue = "") String fromName, @RequestParam(defaultValue = "") String fromEmail,
            @RequestParam(defaultValue = "") String replyTo, @RequestParam(defaultValue = "") String html,
            @RequestParam(defaultValue = "") String text,
            @RequestParam(name = "listId", required = false) List<Long> listIds,
            @RequestParam(name = "abSubject", required = false) List<String> abSubjects,
            @RequestParam(defaultValue = "20") String testPercent, @RequestParam(defaultValue = "OPENS") String winnerRule,
            @RequestParam(defaultValue = "4") String waitHours, @RequestParam(required = false) String generateText,
            Model model, RedirectAttributes redirect) {
        long emailId = emailId(id);
        Email email = emails.get(caller.accountId(), emailId);
        html = PageIds.lines(html);
        text = PageIds.lines(text);
        EmailForm form = new EmailForm(name, type.toUpperCase(Locale.ROOT), subject, fromName, fromEmail, replyTo,
                html, text, listIds == null ? Set.of() : new LinkedHashSet<>(listIds), padded(abSubjects), testPercent,
                winnerRule, waitHours);
        if (generateText != null) {
            model.addAttribute("notice", "templates.textGenerated");
            prepareEdit(caller, email, form.withText(HtmlText.from(html)), null, model);
            return "content/email";
        }
        try {
            // The form's numbers are read here; a wrong one is reported with the service's own refusals.
            FieldChecks checks = new FieldChecks();
            AbTest abTest = EmailType.AB_TEST.name().equals(form.type()) ? checks.check("abTest", form::abTest) : null;
            Email saved = emails.update(caller, emailId, new EmailDraft(name, form.type(), subject,
                    fromName, fromEmail, replyTo, null, html, text, abTest,
                    listIds == null ? List.of() : listIds), checks);
            redirect.addFlashAttribute("notice", "emails.saved");
            redirect.addFlashAttribute("noticeArg", saved.name());
            return "redirect:/emails/" + emailId;
        } catch (DomainProblem problem) {
            if (problem.status() == 404 && !"list_not_found".equals(problem.code())) {
                throw problem;
            }
            TemplatePagesController.showProblem(problem, model, EmailPagesController::inputOf);
            prepareEdit(caller, email, form, null, model);
            return "content/email";
        }
    }

    @PostMapping("/emails/{id}/duplicate")
    String duplicate(Caller caller, @PathVariable String id, RedirectAttributes redirect) throws IOException {
        Email copy = emails.duplicate(caller, emailId(id));
        redirect.addFlashAttribute("notice", "emails.duplicated");
        redirect.addFlashAttribute("noticeArg", copy.name());
        return "redirect:/emails/" + copy.id();
    }

    @PostMapping("/emails/{id}/delete")
    String delete(Caller caller, @PathVariable String id, RedirectAttributes redirect) throws IOException {
        long emailId = emailId(id);
        Email email = emails.get(caller.accountId(), emailId);
        try {
            emails.delete(caller, emailId);
            redirect.addFlashAttribute("notice", "emails.deleted");
            redirect.addFlashAttribute("noticeArg", email.name());
            return "redirect:/emails";
        } catch (DomainProblem problem) {
            if (problem.status() == 404) {
                throw problem;
            }
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
            return "redirect:/emails/" + emailId;
        }
    }

    /** D-27: the service refuses what is not shareable; the pages only offer it for what is. */
    @PostMapping("/emails/{id}/share")
    String share(Caller caller, @PathVariable String id,
            @RequestParam(name = "subaccountId", required = false) List<String> targets,
            @RequestParam(defaultValue = "") String back, RedirectAttributes redirect) {
        long emailId = emailId(id);
        sharePicker.flash(caller, redirect,
                () -> sharing.shareEmail(caller, emailId, targets == null ? List.of() : targets));
        // back: "report" (this e-mail's report) or "campaign-{id}" (a campaign report page, the third place of D-27).
        if (back.matches("campaign-\\d{1,18}")) {
            return "redirect:/campaigns/" + back.substring("campaign-".length()) + "/report#share";
        }
        return "redirect:/emails/" + emailId + ("report".equals(back) ? "/report" : "") + "#share";
    }

    /** Statistics come with sending; until then the report says so, and offers the share when it applies. */
    @GetMapping("/emails/{id}/report")
    String report(Caller caller, @PathVariable String id, Model model) {
        Email email = emails.get(caller.accountId(), emailId(id));
        model.addAttribute("email", email);
        model.addAttribute("shareable", email.isShareable());
        sharePicker.addTargets(caller, model);
        return "content/email-report";
    }

    // --- attachments ----------------------------------------------------------------------------

    @PostMapping("/emails/{id}/attachments")
    String attach(Caller caller, @PathVariable String id,
            @RequestParam(name = "file", required = false) MultipartFile file, RedirectAttributes redirect)
            throws IOException {
        long emailId = emailId(id);
        try {
            if (file == null || file.isEmpty()) {
                throw DomainProblem.invalid("empty_file", "the file is empty").with("field", "file");
            }
            Attachment attached;
            try (InputStream in = file.getInputStream()) {
                attached = emails.attach(caller, emailId, file.getOriginalFilename(), in);
            }
            redirect.addFlashAttribute("attachmentNotice", attached.fileName());
        } catch (DomainProblem problem) {
            if (problem.status() == 404) {
                throw problem;
            }
            redirect.addFlashAttribute("attachmentProblemCode", problem.code());
            redirect.addFlashAttribute("attachmentProblemArgs", problem.arguments());
        }
        return "redirect:/emails/" + emailId + "#attachments";
    }

    /** An upload refused before the controller (too large, malformed) comes back here as a GET. */
    @GetMapping("/emails/{id}/attachments")
    String attachRefused(Caller caller, @PathVariable String id, @RequestParam(required = false) String error,
            RedirectAttributes redirect) {
        long emailId = emailId(id);
        emails.get(caller.accountId(), emailId);
        String code = PageIds.uploadError(error);
        if (code != null) {
            redirect.addFlashAttribute("attachmentProblemCode", code);
        }
        return "redirect:/emails/" + emailId + "#attachments";
    }

    @GetMapping("/emails/{id}/attachments/{attachmentId}")
    void download(Caller caller, @PathVariable String id, @PathVariable String attachmentId,
            HttpServletResponse response) throws IOException {
        long fileId = PageIds.parse(attachmentId, "attachment_not_found", "attachment");
        Attachment attachment = emails.attachments(caller.accountId(), emailId(id)).stream()
                .filter(a -> a.id() == fileId).findFirst()
                .orElseThrow(() -> DomainProblem.notFound("attachment_not_found", "attachment"));
        response.setContentType(attachment.contentType());
        response.setContentLengthLong(attachment.sizeBytes());
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Content-Disposition",
                ContentDisposition.attachment().filename(attachment.fileName(), StandardCharsets.UTF_8).build().toString());
        try (InputStream in = emails.openAttachment(attachment)) {
            in.transferTo(response.getOutputStream());
        }
    }

    @PostMapping("/emails/{id}/attachments/{attachmentId}/delete")
    String detach(Caller caller, @PathVariable String id, @PathVariable String attachmentId,
            RedirectAttributes redirect) throws IOException {
        long emailId = emailId(id);
        try {
            emails.detach(caller, emailId,
                    PageIds.parse(attachmentId, "attachment_not_found", "attachment"));
            redirect.addFlashAttribute("attachmentRemoved", true);
        } catch (DomainProblem problem) {
            if (problem.status() == 404) {
                throw problem;
            }
            redirect.addFlashAttribute("attachmentProblemCode", problem.code());
            redirect.addFlashAttribute("attachmentProblemArgs", problem.arguments());
        }
        return "redirect:/emails/" + emailId + "#attachments";
    }

    // --- preview --------------------------------------------------------------------------------

    /** The e-mail rendered for a contact (or sample values), sandboxed: see {@link Previews}. */
    @GetMapping("/emails/{id}/preview.html")
    void preview(Caller caller, @PathVariable String id, @RequestParam(required = false) String contactId,
            HttpServletResponse response) throws IOException {
        Emails.Rendered rendered = emails.preview(caller.accountId(), emailId(id),
                PageIds.optional(contactId, "contact_not_found", "contact"));
        Previews.write(response, rendered.html());
    }

    // --- helpers --------------------------------------------------------------------------------

    private void prepareList(Caller caller, String status, int page, Model model) {
        EmailStatus filter = status(status);
        model.addAttribute("emails", emails.list(caller.accountId(), filter, new PageRequest(Math.max(page, 0), 50)));
        model.addAttribute("status", filter == null ? null : filter.name());
        model.addAttribute("statuses", EmailStatus.values());
        model.addAttribute("templates", templates.list(caller.accountId(), new PageRequest(0, 200)).items());
        sharePicker.addTargets(caller, model);
    }

    private void prepareEdit(Caller caller, Email email, EmailForm form, Long contactId, Model model) {
        model.addAttribute("email", email);
        model.addAttribute("form", form);
        model.addAttribute("editable", email.status().isEditable());
        model.addAttribute("shareable", email.isShareable());
        io.mailtree.content.EmailReadiness.Readiness ready = readiness.of(caller.accountId(), email);
        model.addAttribute("missing", ready.missing());
        model.addAttribute("readiness", ready);
        model.addAttribute("lists", lists.list(caller.accountId(), new PageRequest(0, 200)).items());
        model.addAttribute("library", images.list(caller.accountId(), new PageRequest(0, 200)).items().stream()
                .map(i -> new LibraryOption(i.fileName(), urls.of(i))).toList());
        model.addAttribute("attachments", emails.attachments(caller.accountId(), email.id()));
        model.addAttribute("maxAttachments", Emails.MAX_ATTACHMENTS);
        model.addAttribute("maxVariants", MAX_VARIANTS);
        model.addAttribute("contacts", previews.contacts(caller.accountId()));
        model.addAttribute("contactId", contactId);
        Emails.Rendered rendered;
        try {
            rendered = emails.preview(caller.accountId(), email.id(), contactId);
        } catch (DomainProblem unrenderable) {
            if ("contact_not_found".equals(unrenderable.code())) {
                throw unrenderable;
            }
            rendered = new Emails.Rendered(email.subject(), email.html(), email.text());
        }
        model.addAttribute("rendered", rendered);
        model.addAttribute("previewUrl", "/emails/" + email.id() + "/preview.html");
        sharePicker.addTargets(caller, model);
    }

    /** An image of the library as the "insert an image" select offers it. */
    record LibraryOption(String fileName, String url) {
    }

    /** What the editor shows: the e-mail's values, or what was posted when it is shown again with a refusal. */
    /** The page's input for a field the service names (its A/B test and lists have their own ids). */
    static String inputOf(String field) {
        return switch (field) {
            case "abTest" -> "ab-test";
            case "abTest.testPercent" -> "testPercent";
            case "abTest.winnerRule" -> "winnerRule";
            case "abTest.waitHours" -> "waitHours";
            case "listIds" -> "recipients";
            // A variant is the n-th subject line given, not the n-th box: its error goes to the test as a whole.
            default -> field.startsWith("abTest.variants.") ? "ab-test" : field;
        };
    }

    record EmailForm(String name, String type, String subject, String fromName, String fromEmail, String replyTo,
            String html, String text, Set<Long> listIds, List<String> abSubjects, String testPercent,
            String winnerRule, String waitHours) {

        static EmailForm of(Email e) {
            AbTest ab = e.abTest();
            List<String> subjects = new ArrayList<>();
            if (ab != null && ab.variants() != null) {
                ab.variants().forEach(v -> subjects.add(v.subject() == null ? "" : v.subject()));
            }
            return new EmailForm(e.name(), e.type().name(), blank(e.subject()), blank(e.fromName()),
                    blank(e.fromEmail()), blank(e.replyTo()), blank(e.html()), blank(e.text()),
                    new LinkedHashSet<>(e.listIds()), padded(subjects),
                    ab == null ? "20" : String.valueOf(ab.testPercent()),
                    ab == null ? "OPENS" : ab.winnerRule().toUpperCase(Locale.ROOT),
                    ab == null ? "4" : String.valueOf(ab.waitHours()));
        }

        EmailForm withText(String generated) {
            return new EmailForm(name, type, subject, fromName, fromEmail, replyTo, html, generated, listIds,
                    abSubjects, testPercent, winnerRule, waitHours);
        }

        public boolean abTestType() {
            return EmailType.AB_TEST.name().equals(type);
        }

        /** The A/B test as posted: one variant per subject line given. */
        AbTest abTest() {
            List<AbTest.Variant> variants = abSubjects.stream().filter(s -> s != null && !s.isBlank())
                    .map(s -> new AbTest.Variant(s.strip(), null, null)).toList();
            // Both numbers read before either is refused, each under its own field.
            FieldChecks checks = new FieldChecks();
            Integer percent = checks.check("abTest.testPercent", () -> number(testPercent, "abTest.testPercent"));
            Integer wait = checks.check("abTest.waitHours", () -> number(waitHours, "abTest.waitHours"));
            checks.throwIfAny();
            return new AbTest(variants, percent, winnerRule.toUpperCase(Locale.ROOT), wait);
        }

        private static int number(String text, String field) {
            try {
                return Integer.parseInt(text.strip());
            } catch (NumberFormatException notNumber) {
                throw DomainProblem.invalid("invalid_ab_test", "not a whole number").with("field", field);
            }
        }

        private static String blank(String value) {
            return value == null ? "" : value;
        }
    }

    /** Always {@link #MAX_VARIANTS} subject fields in the form, filled first with what there is. */
    static List<String> padded(List<String> subjects) {
        List<String> padded = new ArrayList<>(subjects == null ? List.of() : subjects);
        while (padded.size() < MAX_VARIANTS) {
            padded.add("");
        }
        return padded.subList(0, MAX_VARIANTS);
    }

    static EmailStatus status(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return EmailStatus.valueOf(status.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    private static long emailId(String id) {
        return PageIds.parse(id, "email_not_found", "e-mail");
    }
}
