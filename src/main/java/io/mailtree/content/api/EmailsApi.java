package io.mailtree.content.api;

import io.mailtree.accounts.sharing.ShareResult;
import io.mailtree.content.AbTest;
import io.mailtree.content.Attachment;
import io.mailtree.content.ContentSharing;
import io.mailtree.content.Email;
import io.mailtree.content.EmailDraft;
import io.mailtree.content.EmailStatus;
import io.mailtree.content.Emails;
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
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
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

/** {@code /api/v1/emails}: e-mails (campaign drafts), their validation, attachments, preview and sharing. */
@RestController
@RequestMapping("/api/v1/emails")
@RequiresPermission(Permission.CAMPAIGNS)
@Tag(name = "E-mails")
class EmailsApi {

    private final Emails emails;
    private final ContentSharing sharing;
    private final io.mailtree.content.EmailReadiness readiness;

    EmailsApi(Emails emails, ContentSharing sharing, io.mailtree.content.EmailReadiness readiness) {
        this.readiness = readiness;
        this.emails = emails;
        this.sharing = sharing;
    }

    @GetMapping
    PageOf<EmailJson> list(Caller caller, @RequestParam(required = false) String status,
            @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
        return emails.list(caller.accountId(), status(status), new PageRequest(page, size)).map(EmailJson::of);
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create an e-mail", description = """
            From scratch or from a template (templateId fills subject, html and text not given). Its status is
            INCOMPLETE while subject, sender or content is missing, then DRAFT.""")
    EmailJson create(Caller caller, @RequestBody EmailRequest request) {
        return EmailJson.of(emails.create(caller, request.draft()));
    }

    @GetMapping("/{id}")
    EmailJson get(Caller caller, @PathVariable String id) {
        return EmailJson.of(emails.get(caller.accountId(), emailId(id)));
    }

    @PatchMapping("/{id}")
    EmailJson update(Caller caller, @PathVariable String id, @RequestBody EmailRequest request) {
        return EmailJson.of(emails.update(caller, emailId(id), request.draft()));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(Caller caller, @PathVariable String id) throws IOException {
        emails.delete(caller, emailId(id));
    }

    @GetMapping("/{id}/validation")
    @Operation(summary = "What is missing", description = """
            missing blocks the draft; missingToSend adds recipients. unknownPlaceholders lists, as written, the
            placeholders of the subject and content that name no contact property (they would render empty);
            unconfirmedSender is the sender address when it is not a confirmed sender of the account, else null.""")
    Map<String, Object> validation(Caller caller, @PathVariable String id) {
        Email email = emails.get(caller.accountId(), emailId(id));
        io.mailtree.content.EmailReadiness.Readiness ready = readiness.of(caller.accountId(), email);
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("status", email.status().name());
        answer.put("missing", email.missing());
        answer.put("missingToSend", email.missingToSend());
        answer.put("unknownPlaceholders", ready.unknownPlaceholders());
        answer.put("unconfirmedSender", ready.unconfirmedSender());
        answer.put("shareable", email.isShareable());
        return answer;
    }

    @PostMapping("/{id}/duplicate")
    @ResponseStatus(HttpStatus.CREATED)
    EmailJson duplicate(Caller caller, @PathVariable String id) throws IOException {
        return EmailJson.of(emails.duplicate(caller, emailId(id)));
    }

    @GetMapping("/{id}/preview")
    @Operation(summary = "Render for a contact", description = "Without contactId, sample values are used.")
    Emails.Rendered preview(Caller caller, @PathVariable String id, @RequestParam(required = false) Long contactId) {
        return emails.preview(caller.accountId(), emailId(id), contactId);
    }

    @GetMapping("/{id}/attachments")
    Map<String, List<Attachment>> attachments(Caller caller, @PathVariable String id) {
        return Map.of("items", emails.attachments(caller.accountId(), emailId(id)));
    }

    @PostMapping(value = "/{id}/attachments", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Attach a file", description = "PDF or office documents, checked from the bytes; 10 MB each.")
    Attachment attach(Caller caller, @PathVariable String id, @RequestParam("file") MultipartFile file) throws IOException {
        return emails.attach(caller, emailId(id), file.getOriginalFilename(), file.getInputStream());
    }

    @DeleteMapping("/{id}/attachments/{attachmentId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void detach(Caller caller, @PathVariable String id, @PathVariable String attachmentId) throws IOException {
        emails.detach(caller, emailId(id), Ids.positive(attachmentId, "attachment_not_found", "attachment"));
    }

    @PostMapping("/{id}/share")
    @Operation(summary = "Share with sub-accounts (D-27)", description = """
            Only regular e-mails in draft or sent status: an A/B test or an incomplete e-mail answers
            email_not_shareable. Each target gets a new draft with subject, sender, text, HTML, images and
            attachments; send history and statistics are not copied.""")
    Map<String, List<ShareResult>> share(Caller caller, @PathVariable String id,
            @RequestBody ShareRequest request) {
        return Map.of("results", sharing.shareEmail(caller, emailId(id), request.subaccountIds()));
    }

    static long emailId(String id) {
        return Ids.positive(id, "email_not_found", "e-mail");
    }

    static EmailStatus status(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return EmailStatus.valueOf(status.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            throw DomainProblem.invalid("invalid_status", "unknown status: " + status);
        }
    }

    @Schema(name = "EmailRequest")
    record EmailRequest(String name, @Schema(description = "REGULAR (default) or AB_TEST") String type, String subject,
            String fromName, String fromEmail, String replyTo, Long templateId, String html, String text,
            AbTest abTest, @Schema(description = "Recipient lists") List<Long> listIds) {

        EmailDraft draft() {
            return new EmailDraft(name, type, subject, fromName, fromEmail, replyTo, templateId, html, text, abTest,
                    listIds);
        }
    }

    @Schema(name = "Email")
    record EmailJson(long id, String name, String type, String status, String subject, String fromName,
            String fromEmail, String replyTo, Long templateId, String html, String text, AbTest abTest,
            List<Long> listIds, int attachmentCount, List<String> missing, boolean shareable, String sharedFrom,
            Instant sentAt, Instant createdAt, Instant updatedAt) {

        static EmailJson of(Email e) {
            return new EmailJson(e.id(), e.name(), e.type().name(), e.status().name(), e.subject(), e.fromName(),
                    e.fromEmail(), e.replyTo(), e.templateId(), e.html(), e.text(), e.abTest(), e.listIds(),
                    e.attachmentCount(), e.missing(), e.isShareable(), e.sharedFrom(), e.sentAt(), e.createdAt(),
                    e.updatedAt());
        }
    }
}
