package io.mailtree.delivery.api;

import io.mailtree.delivery.MessageQueue;
import io.mailtree.delivery.Messages;
import io.mailtree.delivery.OutboundMessage;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The transactional send API (D-29): {@code POST /api/v1/send} with up to 50 messages, each accepted
 * (durably queued, tied to the calling key) or refused on its own; and the messages' status.
 */
@RestController
@Tag(name = "Sending")
class SendApi {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final MessageQueue queue;
    private final Messages messages;

    SendApi(MessageQueue queue, Messages messages) {
        this.queue = queue;
        this.messages = messages;
    }

    @PostMapping("/api/v1/send")
    @Operation(summary = "Send messages", description = """
            Up to 50 messages. Each answer carries an id and status for an accepted message, a code for a refused
            one; refusals do not stop the others. "accepted" is answered only after the message is committed.
            Idempotency-Key: the same key and body answer the first answer again; another body is a 409.
            Inline images go in a multipart/related part with the html, which shows each as cid:<contentId>;
            codes: not_an_image, invalid_inline_image, duplicate_content_id, inline_images_need_html,
            invalid_base64, attachment_too_large, attachments_too_large. With templateId, variables are strings,
            numbers, booleans or null (invalid_variable, too_many_variables); a render too large or too costly is
            refused with rendered_too_large or template_too_complex. When the accepted messages would pass the
            master's credits or the sub-account's monthly cap (D-31), the whole call is refused with 402
            credits_exhausted (scope, requested, available, limit) and nothing of it is queued.""")
    MessageQueue.Answer send(Caller caller, @RequestBody SendRequest request,
            @RequestHeader(value = "Idempotency-Key", required = false) String idempotencyKey) {
        return queue.send(caller, request.messages(), idempotencyKey, JSON.writeValueAsString(request));
    }

    @GetMapping("/api/v1/messages/{id}")
    @Operation(summary = "A message's status and event history")
    Messages.Detail message(Caller caller, @PathVariable String id) {
        return messages.get(caller.accountId(), id);
    }

    @GetMapping("/api/v1/messages")
    @Operation(summary = "Search messages", description = "Newest first; pass the id of the last message as before.")
    Map<String, Object> search(Caller caller, @RequestParam(required = false) String recipient,
            @RequestParam(required = false) String status, @RequestParam(required = false) String from,
            @RequestParam(required = false) String to, @RequestParam(required = false) String apiKeyId,
            @RequestParam(required = false) String before, @RequestParam(defaultValue = "50") int limit) {
        return Map.of("items", messages.search(caller.accountId(), recipient, status, instant(from), instant(to), apiKeyId,
                before, limit));
    }

    private static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (RuntimeException unreadable) {
            throw DomainProblem.invalid("invalid_time", "times are ISO-8601 instants such as 2026-11-25T10:00:00Z");
        }
    }

    @Schema(name = "SendRequest")
    record SendRequest(@Schema(description = "1 to 50 messages") List<OutboundMessage> messages) {
    }
}
