package io.mailtree.delivery;

import java.util.List;
import java.util.Map;

/**
 * One message of a send request, as the client gave it; {@link MessageQueue} checks every part
 * before anything is queued.
 */
public record OutboundMessage(Party from, List<Party> to, List<Party> cc, List<Party> bcc, Party replyTo, String subject,
        String text, String html, Long templateId, Map<String, Object> variables, List<FileData> attachments,
        Map<String, String> headers, String customId, String eventPayload) {

    /** An address with an optional display name. */
    public record Party(String email, String name) {
    }

    /** An attachment or inline image: its name, type and content in base64. */
    public record FileData(String fileName, String contentType, String content) {
    }
}
