/**
 * Campaigns: an e-mail draft sent to contact lists now or at a scheduled instant, its state machine
 * (scheduled, sending, paused, sent, cancelled), the fan-out that streams the recipients into
 * delivery's queue in batches from a stored cursor, the one-click unsubscribe links its mail carries
 * (RFC 8058), the open pixel and signed click links, the report of each campaign kept as counters by
 * a consumer of the outcome stream, A/B tests judged from per-variant counters and test sends (ADR 0031),
 * and the campaigns and report pages (ADR 0024, ADR 0025, ADR 0027).
 *
 * <p>Allowed dependencies, and why: {@code content} for the e-mail draft a campaign is made from and
 * the template language that personalises it per recipient; {@code contacts} for the lists, the
 * recipients (subscribed, not suppressed) and the unsubscribe itself, which moves the allowance (D-7);
 * {@code delivery} to queue each batch, to hold the queued mail of a paused or cancelled campaign, and
 * for the sending domains and their DNS verification that the bulk-sender requirements judge (ADR 0032);
 * {@code keys} for the account's MARKETING key the mail is sent with (D-17, D-20); {@code access} for
 * the installation's token signing, which signs the unsubscribe, open and click links;
 * {@code tracking} to raise the campaign state changes as account webhook events; {@code accounts}
 * for a master's sub-accounts in the cross-sub-account report (D-25) and the share picker of the
 * report page (D-27); {@code shared} for ids,
 * callers, permissions, problems and the outcome stream its report counters consume.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"content", "contacts", "delivery", "keys", "access",
        "tracking", "accounts", "accounts :: sharing", "shared"})
package io.mailtree.campaigns;
