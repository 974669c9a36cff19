package io.mailtree.delivery;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/**
 * Classifies what the relay answered to one hand-over into an {@link SmtpOutcome}: a pure function
 * of the recipients handed over and the failure the transport's connection threw
 * ({@code MailTransport.Connection.send}, as the relay's {@code RelayConnection} reports it), or
 * none, with no I/O and no clock, so every reply code can be tested without a server.
 *
 * <p>The rules, in the order they are applied:
 * <ul>
 *   <li>no failure: {@link SmtpOutcome.Delivered};
 *   <li>the sender refused ({@code SMTPSenderFailedException}): 5xx is {@link SmtpOutcome.SenderRefused},
 *       anything else {@link SmtpOutcome.Deferred};
 *   <li>the message refused after DATA ({@code SMTPSendFailedException}): 5xx bounces every recipient
 *       hard, anything else defers them all;
 *   <li>a partly failed send ({@code SendFailedException}): the valid-sent addresses are delivered,
 *       the valid-unsent ones retried, and each invalid one bounces hard if its own reply code (or,
 *       without one, the first SMTP code in the exception chain) is 5xx <em>or unknown (0)</em>, and
 *       is retried if it is 4xx;
 *   <li>any other {@code MessagingException} whose chain carries a 5xx reply: every recipient bounces;
 *   <li>everything else (connection refused, timeout, TLS handshake failure, 4xx): deferred.
 * </ul>
 *
 * <p><strong>The basic reply code decides whether a failure is permanent</strong> (RFC 5321 §4.2.1:
 * the first digit), and the RFC 3463 enhanced status code in the text ({@link EnhancedStatus}) says
 * what a permanent one is about:
 * <ul>
 *   <li>{@code 5.7.x} (security or policy: {@code 554 5.7.1} refused as spam, {@code 550 5.7.26} DMARC)
 *       is a <em>policy refusal</em>: the recipient's copy fails for good, as a {@code BLOCK} bounce, but
 *       the address is not suppressed, because the refusal is about our message, not the address
 *       (RFC 3463 §3.8);
 *   <li>{@code X.2.2} (mailbox full, "useful for both permanent and persistent transient errors",
 *       RFC 3463 §3.3) and {@code X.5.3} (too many recipients, which RFC 5321 §4.5.3.1.10 asks
 *       clients to treat as the temporary 452) are retried even after a 5xx, and become a soft bounce
 *       only past the retry horizon;
 *   <li>any other 5xx bounces hard, and so does an invalid address without any reply code (0, e.g.
 *       one Jakarta Mail rejected before RCPT).
 * </ul>
 * A 4xx is retried whatever its enhanced code says ({@code 450 5.1.1}): a server that asks to be
 * tried again is tried again.
 */
final class SmtpOutcomes {

    private SmtpOutcomes() {
    }

    /**
     * The outcome of handing a message to the relay for {@code recipients}.
     *
     * @param recipients the recipients handed over, in order
     * @param failure what the relay connection threw, or {@code null} if it took the message
     */
    static SmtpOutcome classify(List<String> recipients, Exception failure) {
        if (failure == null) {
            return new SmtpOutcome.Delivered();
        }
        if (failure instanceof SMTPSenderFailedException senderRefused) {
            return senderRefused.getReturnCode() >= 500 ? new SmtpOutcome.SenderRefused(senderRefused.getMessage())
                    : new SmtpOutcome.Deferred(senderRefused.getMessage(), false);
        }
        if (failure instanceof SMTPSendFailedException refusedAfterData) {
            // A refusal of the whole message (after DATA): Angus lists the recipients as valid but unsent,
            // so the reply decides between a bounce and a retry.
            return permanent(refusedAfterData.getReturnCode(), refusedAfterData.getMessage())
                    ? bounceAll(recipients, refusedAfterData.getReturnCode(), refusedAfterData.getMessage())
                    : new SmtpOutcome.Deferred(refusedAfterData.getMessage(), false);
        }
        if (failure instanceof SendFailedException partly) {
            return partly(partly);
        }
        if (failure instanceof MessagingException messaging && returnCode(messaging) >= 500
                && permanent(returnCode(messaging), messaging.getMessage())) {
            return bounceAll(recipients, returnCode(messaging), messaging.getMessage());
        }
        if (failure instanceof MessagingException messaging && returnCode(messaging) >= 500) {
            return new SmtpOutcome.Deferred(messaging.getMessage(), false);
        }
        return new SmtpOutcome.Deferred(failure.getClass().getSimpleName() + ": " + failure.getMessage(),
                !(failure instanceof MessagingException));
    }

    /** A 5xx that is not one of the usually temporary ones (mailbox full, too many recipients). */
    private static boolean permanent(int code, String text) {
        return code >= 500 && !EnhancedStatus.in(text).map(EnhancedStatus::isUsuallyTransient).orElse(false);
    }

    /** Whether a permanent refusal is about the message (X.7.x), not the address. */
    private static boolean policy(String text) {
        return EnhancedStatus.in(text).map(EnhancedStatus::isPolicy).orElse(false);
    }

    private static SmtpOutcome bounceAll(List<String> recipients, int code, String reason) {
        boolean policy = policy(reason);
        return new SmtpOutcome.Bounced(
                recipients.stream().map(r -> new SmtpOutcome.Refusal(r, code + " " + reason, policy)).toList(), reason);
    }

    private static SmtpOutcome partly(SendFailedException failure) {
        Map<String, Integer> codes = codes(failure);
        List<String> retry = new ArrayList<>(addresses(failure.getValidUnsentAddresses()));
        List<SmtpOutcome.Refusal> bounced = new ArrayList<>();
        for (String invalid : addresses(failure.getInvalidAddresses())) {
            Integer own = codes.get(invalid.toLowerCase());
            int code = own != null ? own : returnCode(failure);
            // The refusal's own reply text where the chain has one, for its enhanced code.
            String text = own != null ? texts(failure).get(invalid.toLowerCase()) : failure.getMessage();
            if (code == 0 || permanent(code, text)) {
                bounced.add(new SmtpOutcome.Refusal(invalid, code + " " + failure.getMessage(), code != 0 && policy(text)));
            } else {
                retry.add(invalid);
            }
        }
        return new SmtpOutcome.Partly(addresses(failure.getValidSentAddresses()), bounced, retry, failure.getMessage());
    }

    /** The reply code of each refused recipient of a partly failed send. */
    private static Map<String, Integer> codes(SendFailedException failure) {
        Map<String, Integer> codes = new HashMap<>();
        for (Exception next = failure; next instanceof MessagingException messaging; next = messaging.getNextException()) {
            if (next instanceof SMTPAddressFailedException address) {
                codes.put(address.getAddress().getAddress().toLowerCase(), address.getReturnCode());
            }
        }
        return codes;
    }

    /** The reply text of each refused recipient of a partly failed send. */
    private static Map<String, String> texts(SendFailedException failure) {
        Map<String, String> texts = new HashMap<>();
        for (Exception next = failure; next instanceof MessagingException messaging; next = messaging.getNextException()) {
            if (next instanceof SMTPAddressFailedException address) {
                texts.put(address.getAddress().getAddress().toLowerCase(), address.getMessage());
            }
        }
        return texts;
    }

    /** The first SMTP reply code in the exception chain, or 0 if it carries none. */
    private static int returnCode(MessagingException failure) {
        for (Exception next = failure; next != null;
                next = next instanceof MessagingException m ? m.getNextException() : null) {
            if (next instanceof SMTPSendFailedException send) {
                return send.getReturnCode();
            }
            if (next instanceof SMTPAddressFailedException address) {
                return address.getReturnCode();
            }
        }
        return 0;
    }

    private static List<String> addresses(Address[] addresses) {
        List<String> out = new ArrayList<>();
        if (addresses != null) {
            for (Address address : addresses) {
                out.add(((InternetAddress) address).getAddress());
            }
        }
        return out;
    }
}
