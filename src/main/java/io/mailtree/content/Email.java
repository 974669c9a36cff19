package io.mailtree.content;

import io.mailtree.shared.DomainProblem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An e-mail (campaign draft). Its status follows from its parts: INCOMPLETE while a required part
 * is missing, DRAFT when complete; only those two may be edited or deleted. D-27: only a regular
 * e-mail in DRAFT or SENT can be shared.
 */
public record Email(long id, String name, EmailType type, EmailStatus status, String subject, String fromName,
        String fromEmail, String replyTo, Long templateId, String html, String text, AbTest abTest, List<Long> listIds,
        int attachmentCount, String sharedFrom, Instant sentAt, Instant createdAt, Instant updatedAt) {

    /** Parts required for the e-mail to be a draft, as stable codes the page and the API list. */
    public List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (blank(subject)) {
            missing.add("subject");
        }
        if (blank(fromEmail)) {
            missing.add("sender");
        }
        if (blank(html) && blank(text)) {
            missing.add("content");
        }
        if (type == EmailType.AB_TEST) {
            missing.addAll(abTest == null ? List.of("ab_variants") : abTest.missing());
        }
        return missing;
    }

    /** Everything that must be there before it can go out: the required parts and recipients. */
    public List<String> missingToSend() {
        List<String> missing = new ArrayList<>(missing());
        if (listIds.isEmpty()) {
            missing.add("recipients");
        }
        return missing;
    }

    /** The status its parts give an editable e-mail. */
    EmailStatus derivedStatus() {
        if (!status.isEditable()) {
            return status;
        }
        return missing().isEmpty() ? EmailStatus.DRAFT : EmailStatus.INCOMPLETE;
    }

    public boolean isShareable() {
        return type == EmailType.REGULAR && (status == EmailStatus.DRAFT || status == EmailStatus.SENT);
    }

    /** D-27's refusal, naming why. */
    void requireShareable() {
        if (type == EmailType.AB_TEST) {
            throw DomainProblem.conflict("email_not_shareable", "A/B-test e-mails cannot be shared", "ab_test")
                    .with("reason", "ab_test");
        }
        if (status == EmailStatus.INCOMPLETE) {
            throw DomainProblem.conflict("email_not_shareable", "incomplete e-mails cannot be shared", "incomplete")
                    .with("reason", "incomplete").with("missing", missing());
        }
        if (!isShareable()) {
            throw DomainProblem.conflict("email_not_shareable", "only drafts and sent e-mails can be shared",
                    status.name().toLowerCase()).with("reason", status.name().toLowerCase());
        }
    }

    void requireEditable() {
        if (!status.isEditable()) {
            throw DomainProblem.conflict("email_not_editable", "a " + status.name().toLowerCase()
                    + " e-mail cannot be changed; duplicate it instead", status.name().toLowerCase());
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
