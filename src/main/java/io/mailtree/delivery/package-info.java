/**
 * Sending: sender addresses verified by a confirmation e-mail and sending domains with their DKIM
 * keys and the DNS records to publish. (The send API, the queue and SMTP delivery build on these.)
 * Depends on {@code access} for signed links, {@code notifications} for the confirmation mail,
 * {@code content} for templates and to recognise inline images by their bytes, and {@code audit}.
 */
package io.mailtree.delivery;
