/**
 * Sending: sender addresses verified by a confirmation e-mail and sending domains with their DKIM
 * keys and the DNS records to publish, the send API, the queue and SMTP delivery. Every outcome is
 * written to the message event store, which the modules that react to it consume as a stream
 * ({@code shared.outcomes}, ADR 0010); delivery calls none of them.
 * Depends on {@code access} for signed links, {@code notifications} for the confirmation mail,
 * {@code content} for templates and to recognise inline images by their bytes, and {@code audit}.
 */
package io.mailtree.delivery;
