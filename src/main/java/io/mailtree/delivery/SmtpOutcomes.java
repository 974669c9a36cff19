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
 * <p><strong>Only the basic reply code decides</strong> (RFC 5321 §4.2.1: the first digit); the
 * RFC 3463 enhanced status code in the text ({@code 4.2.2}, {@code 5.1.1}, {@code 5.7.1} …) is kept in
 * the diagnostic but never changes the outcome. Where RFC 3463 / RFC 5321 would read a reply
 * differently, this is today's behaviour, kept on purpose until it is changed deliberately:
 * <ul>
 *   <li>{@code 552 5.2.2} (mailbox full) bounces <em>hard</em>. RFC 3463 §3.3 says X.2.2 "is useful
 *       for both permanent and persistent transient errors", and RFC 5321 §4.5.3.1.10 asks clients to
 *       treat a 552 answer to RCPT for "too many recipients" as the temporary 452; a full mailbox is
 *       usually temporary, so the address is suppressed sooner than necessary.
 *   <li>a reply whose classes disagree ({@code 450 5.1.1}, {@code 550 4.2.2}): RFC 3463 §2 says the
 *       enhanced code should be the more specific, but the basic code decides here.
 *   <li>{@code 5.7.x} (policy, e.g. {@code 554 5.7.1} refused as spam, or DMARC rejection) bounces hard
 *       like any 5xx, so a policy refusal of <em>our</em> message suppresses the recipient's address;
 *       RFC 3463 classes X.7.x as a security or policy status, not a bad address.
 *   <li>an invalid address without any reply code (0, e.g. one Jakarta Mail rejected before RCPT)
 *       bounces hard.
 * </ul>
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
            // so the reply code decides between a hard bounce and a retry.
            return refusedAfterData.getReturnCode() >= 500
                    ? bounceAll(recipients, refusedAfterData.getReturnCode(), refusedAfterData.getMessage())
                    : new SmtpOutcome.Deferred(refusedAfterData.getMessage(), false);
        }
        if (failure instanceof SendFailedException partly) {
            return partly(partly);
        }
        if (failure instanceof MessagingException messaging && returnCode(messaging) >= 500) {
            return bounceAll(recipients, returnCode(messaging), messaging.getMessage());
        }
        return new SmtpOutcome.Deferred(failure.getClass().getSimpleName() + ": " + failure.getMessage(),
                !(failure instanceof MessagingException));
    }

    private static SmtpOutcome bounceAll(List<String> recipients, int code, String reason) {
        return new SmtpOutcome.Bounced(
                recipients.stream().map(r -> new SmtpOutcome.Refusal(r, code + " " + reason)).toList(), reason);
    }

    private static SmtpOutcome partly(SendFailedException failure) {
        Map<String, Integer> codes = codes(failure);
        List<String> retry = new ArrayList<>(addresses(failure.getValidUnsentAddresses()));
        List<SmtpOutcome.Refusal> bounced = new ArrayList<>();
        for (String invalid : addresses(failure.getInvalidAddresses())) {
            int code = codes.getOrDefault(invalid.toLowerCase(), returnCode(failure));
            if (code >= 500 || code == 0) {
                bounced.add(new SmtpOutcome.Refusal(invalid, code + " " + failure.getMessage()));
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
