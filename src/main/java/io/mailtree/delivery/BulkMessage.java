package io.mailtree.delivery;

/**
 * One personalised message of a bulk send (a campaign), already rendered by its sender. Unlike a send
 * API message it carries no custom headers: the only extra headers are the one-click unsubscribe pair
 * (RFC 2369, RFC 8058), which delivery writes itself and DKIM signs ({@link DkimSignature#SIGNED}).
 *
 * @param listUnsubscribeUrl    the https (or http) one-click unsubscribe URL, POSTed by mailbox providers
 * @param listUnsubscribeMailto the mailto address of the unsubscribe header, or null for none
 * @param variant               which variant of an A/B test the message is (0 for A), stored with it and
 *                              carried by its outcome events (ADR 0031); null when it is no test's
 */
public record BulkMessage(String fromEmail, String fromName, String toEmail, String toName, String replyTo,
        String subject, String text, String html, String listUnsubscribeUrl, String listUnsubscribeMailto,
        Integer variant) {

    /** A message of no A/B test. */
    public BulkMessage(String fromEmail, String fromName, String toEmail, String toName, String replyTo,
            String subject, String text, String html, String listUnsubscribeUrl, String listUnsubscribeMailto) {
        this(fromEmail, fromName, toEmail, toName, replyTo, subject, text, html, listUnsubscribeUrl,
                listUnsubscribeMailto, null);
    }
}
