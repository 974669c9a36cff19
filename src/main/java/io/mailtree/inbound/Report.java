package io.mailtree.inbound;

/**
 * What a bounce or complaint says about a message we sent, reduced to the fields delivery needs to
 * find that message and decide what to do with its recipient. Only the envelope recipient (and so
 * the VERP token) comes from our own SMTP server; every other field is what the reporting system
 * claims, kept for inspection. Delivery matches a report by its token alone.
 *
 * @param kind what the message turned out to be
 * @param envelopeRecipient the address the report was delivered to, such as
 *        {@code bounces+abc123@bounce.example}; null when unknown
 * @param verpToken the part of a {@code bounces+TOKEN@domain} envelope recipient that identifies the
 *        original message and recipient; only ever from the envelope (never from the report's body,
 *        which anyone can write); null when the envelope has none
 * @param originalMessageId the Message-ID of the original message with its angle brackets, from the
 *        report's Original-Message-ID, the attached original headers, or the report's own
 *        In-Reply-To or References; null when none holds a well-formed id
 * @param recipient the address the report is about, without its {@code rfc822;} type
 * @param action {@code failed}, {@code delayed}, {@code delivered}, {@code relayed} or
 *        {@code expanded}; null for complaints and when the report gives none
 * @param status the enhanced status code, such as {@code 5.1.1}
 * @param hard true for a permanent failure (action failed with a 5.x.x status), after which the
 *        address should not be sent to again
 * @param diagnostic the remote server's explanation from Diagnostic-Code, at most 1000 characters
 * @param feedbackType the complaint's Feedback-Type in lower case, such as {@code abuse}
 * @param problem why the message was not recognised, or what a recognised report lacked; null when
 *        it was read completely
 */
public record Report(Kind kind, String envelopeRecipient, String verpToken, String originalMessageId,
        String recipient, String action, String status, boolean hard, String diagnostic, String feedbackType,
        String problem) {

    /** The kinds of returned mail told apart. */
    public enum Kind {
        /** A delivery status notification (RFC 3464): a bounce, a delay warning or a receipt. */
        DSN,
        /** A feedback-loop complaint in the Abuse Reporting Format (RFC 5965). */
        ARF,
        /** Anything else, including reports too broken to read; {@link Report#problem()} says why. */
        UNRECOGNISED
    }
}
