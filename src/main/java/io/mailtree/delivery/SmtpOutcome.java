package io.mailtree.delivery;

import java.util.List;

/**
 * What one hand-over of a message to the relay came to, as {@link SmtpOutcomes#classify} judges it
 * from the relay's answer. Each case is one way the worker records the attempt; the worker itself
 * no longer looks at reply codes or exception types.
 */
sealed interface SmtpOutcome {

    /**
     * The recipients whose address this outcome bounces hard, so the rest of the batch skips them; a
     * policy refusal is not among them.
     */
    List<String> hardBounced();

    /** The relay took the message for every recipient. */
    record Delivered() implements SmtpOutcome {
        @Override
        public List<String> hardBounced() {
            return List.of();
        }
    }

    /**
     * The relay permanently refused our envelope sender (5xx to MAIL FROM): the message fails, but
     * nothing is wrong with the recipients, so none bounces.
     */
    record SenderRefused(String reason) implements SmtpOutcome {
        @Override
        public List<String> hardBounced() {
            return List.of();
        }
    }

    /**
     * The whole message was refused permanently: every recipient bounces with its diagnostic (hard, or
     * as a policy refusal).
     */
    record Bounced(List<Refusal> refusals, String reason) implements SmtpOutcome {
        public Bounced {
            refusals = List.copyOf(refusals);
        }

        @Override
        public List<String> hardBounced() {
            return refusals.stream().filter(r -> !r.policy()).map(Refusal::recipient).toList();
        }
    }

    /**
     * A temporary failure for every recipient (4xx, relay unreachable, timeout, TLS failure): the
     * message is retried, or bounces soft past the retry horizon. {@code unexpected} is set when the
     * failure was not an SMTP answer at all (a bug or an I/O failure below Jakarta Mail), worth a log.
     */
    record Deferred(String reason, boolean unexpected) implements SmtpOutcome {
        @Override
        public List<String> hardBounced() {
            return List.of();
        }
    }

    /**
     * Some recipients taken, some refused: the refused ones bounce (5xx) or are retried (4xx, and the
     * 5xx that are usually temporary)
     * with the ones the relay never got to. {@code reason} is the relay's summary, kept on the row.
     */
    record Partly(List<String> sent, List<Refusal> bounced, List<String> retry, String reason) implements SmtpOutcome {
        public Partly {
            sent = List.copyOf(sent);
            bounced = List.copyOf(bounced);
            retry = List.copyOf(retry);
        }

        @Override
        public List<String> hardBounced() {
            return bounced.stream().filter(r -> !r.policy()).map(Refusal::recipient).toList();
        }
    }

    /**
     * A recipient refused permanently, with the diagnostic its bounce event carries ("550 …").
     * {@code policy} when the refusal is about the message, not the address (RFC 3463 X.7.x): the
     * recipient is not mailed this message again, but its address is not suppressed.
     */
    record Refusal(String recipient, String diagnostic, boolean policy) {

        /** A refusal of the address itself. */
        Refusal(String recipient, String diagnostic) {
            this(recipient, diagnostic, false);
        }
    }
}
