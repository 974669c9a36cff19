package io.mailtree.delivery;

/**
 * What happened to one message of a send request: accepted (queued, with its id) or refused
 * (with a stable code and a reason); one refusal never stops the others.
 */
public record SendResult(int index, String status, String id, String messageId, String customId, String code,
        String detail) {

    static SendResult accepted(int index, String id, String messageId, String customId) {
        return new SendResult(index, "accepted", id, messageId, customId, null, null);
    }

    static SendResult refused(int index, String customId, String code, String detail) {
        return new SendResult(index, "refused", null, null, customId, code, detail);
    }
}
