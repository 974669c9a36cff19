/**
 * Sending: sender addresses verified by a confirmation e-mail and sending domains with their DKIM
 * keys and the DNS records to publish, the send API, the queue and SMTP delivery. Every outcome is
 * written to the message event store, which the modules that react to it consume as a stream
 * ({@code shared.outcomes}, ADR 0010); delivery calls none of them.
 *
 * <p>The queue, concept by concept: {@code MessageQueue} accepts mail; {@code MessageClaims} leases
 * due messages to this node; {@code DeliveryAttempts} checks suppressions, signs and hands the signed
 * MIME to the transport; {@code SmtpOutcomes} classifies the answer; {@code OutcomeWriter} writes
 * statuses and events under the lease; {@code MessageHolds} holds and releases mail by account or
 * key (HELD and RELEASED, ADR 0012); {@code DeliveryWorkers} runs the threads. Settings are bound
 * once ({@code DeliverySettings}, {@code BounceDomain}); the relay's are {@code notifications}'.
 *
 * <p>Allowed dependencies, and why: {@code accounts} for the account a message belongs to and
 * whether it may send, and its deactivation and reactivation events, on which delivery holds and
 * releases its mail (D-12); {@code keys} for the key every message is tied to (D-29);
 * {@code content} to render templates and to recognise inline images by their bytes, and to answer
 * its {@code SenderConfirmations} (the e-mail readiness panel's question about senders, which content
 * cannot ask delivery directly);
 * {@code access} for the signed links of sender confirmation; {@code audit} for the log of its
 * administrative acts (D-32); {@code notifications} for the
 * confirmation mail and the transport (the relay or the development mailbox, whichever its relay
 * settings choose), which takes signed MIME bytes over one connection per worker; {@code shared} for ids, the
 * outcome stream's types and the suppressed-recipient check. Delivery imports none of the modules
 * that react to its outcomes.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"accounts", "keys", "content", "access", "notifications", "audit", "shared"})
package io.mailtree.delivery;
