/**
 * Campaigns: an e-mail draft sent to contact lists now or at a scheduled instant, its state machine
 * (scheduled, sending, paused, sent, cancelled), the fan-out that streams the recipients into
 * delivery's queue in batches from a stored cursor, the one-click unsubscribe links its mail carries
 * (RFC 8058) and the campaigns page with each campaign's progress (ADR 0024, ADR 0025).
 *
 * <p>Allowed dependencies, and why: {@code content} for the e-mail draft a campaign is made from and
 * the template language that personalises it per recipient; {@code contacts} for the lists, the
 * recipients (subscribed, not suppressed) and the unsubscribe itself, which moves the allowance (D-7);
 * {@code delivery} to queue each batch and to hold the queued mail of a paused or cancelled campaign;
 * {@code keys} for the account's MARKETING key the mail is sent with (D-17, D-20); {@code access} for
 * the installation's token signing, which signs the unsubscribe links; {@code shared} for ids,
 * callers, permissions and problems.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"content", "contacts", "delivery", "keys", "access", "shared"})
package io.mailtree.campaigns;
