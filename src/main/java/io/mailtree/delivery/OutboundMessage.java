package io.mailtree.delivery;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * One message of a send request, as the client gave it; {@link MessageQueue} checks every part
 * before anything is queued.
 */
public record OutboundMessage(Party from, List<Party> to, List<Party> cc, List<Party> bcc, Party replyTo, String subject,
        String text, String html, Long templateId, Map<String, Object> variables,
        @Schema(description = "Files attached to the message: 10 MB each, 25 MB together with the inline images")
        List<FileData> attachments,
        @Schema(description = "Images shown inside the html, which refers to each as cid:<contentId>; PNG, JPEG, GIF "
                + "or WebP (checked from the bytes), 10 MB each, 25 MB together with the attachments. Needs html.")
        List<InlineImage> inlineImages,
        Map<String, String> headers, String customId, String eventPayload) {

    /** An address with an optional display name. */
    public record Party(String email, String name) {
    }

    /** An attachment: its name, type and content in base64. */
    public record FileData(String fileName, String contentType, String content) {
    }

    /**
     * An image the html shows by {@code cid:} reference (RFC 2392), sent in a multipart/related part
     * beside the html rather than fetched from a server, so it shows without remote images allowed.
     */
    @Schema(description = "An image embedded in the message and shown by the html as <img src=\"cid:contentId\">")
    public record InlineImage(
            @Schema(description = "The id the html refers to: 1 to 200 letters, digits and . _ @ + -, unique in the "
                    + "message", example = "logo@shop") String contentId,
            @Schema(description = "Optional file name shown by mail clients that list the image", example = "logo.png")
            String fileName,
            @Schema(description = "Optional; when given it must match the bytes: image/png, image/jpeg, image/gif or "
                    + "image/webp", example = "image/png") String contentType,
            @Schema(description = "The image bytes in base64") String content) {
    }
}
