package io.mailtree.delivery;

/**
 * One personalised message of a bulk send (a campaign), already rendered by its sender. Unlike a send
 * API message it carries no custom headers: the only extra headers are the one-click unsubscribe pair
 * (RFC 2369, RFC 8058), which delivery writes itself and DKIM signs ({@link DkimSignature#SIGNED}).
 *
 * @param listUnsubscribeUrl    the https (or http) one-click unsubscribe URL, POSTed by mailbox providers
 * @param listUnsubscribeMailto the mailto address of the unsubscribe header, or null for none
 */
public record BulkMessage(String fromEmail, String fromName, String toEmail, String toName, String replyTo,
        String subject, String text, String html, String listUnsubscribeUrl, String listUnsubscribeMailto) {
}
