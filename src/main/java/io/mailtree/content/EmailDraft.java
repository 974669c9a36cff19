package io.mailtree.content;

import java.util.List;

/**
 * The parts of an e-mail a person or client sets. On create, {@code templateId} fills subject,
 * HTML and text that are not given; on update, null fields stay as they are.
 */
public record EmailDraft(String name, String type, String subject, String fromName, String fromEmail, String replyTo,
        Long templateId, String html, String text, AbTest abTest, List<Long> listIds) {
}
