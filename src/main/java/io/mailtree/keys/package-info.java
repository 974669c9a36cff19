/**
 * API keys (D-16, D-17): every account gets a primary key when created; a master adds keys for
 * itself and its sub-accounts, names and labels them ({@code TRANSACTIONAL} or {@code MARKETING};
 * the key an account is created with is {@code TRANSACTIONAL}), revokes them and rotates their
 * secret with a grace period of at most 24 hours during which the old secret is still accepted. A
 * key is a public key and a secret that is shown once and stored only as a SHA-256 hash behind a
 * recognisable prefix, so leaked secrets can be scanned for (two hashes while a rotation is in its
 * grace period). Authenticates API calls and SMTP submission, and keeps each key's last use and
 * client address (written at most once a minute per key). Its pages ({@code keys.web}) and API
 * ({@code keys.api}) serve {@code /keys} and {@code /api/v1/keys}. Each key carries its own sender
 * reputation (D-18), counted by a consumer of the delivery outcome stream, judged against the
 * operator's thresholds, alerted and paused on a crossing (D-19, ADR 0017).
 * <p>Allowed dependencies, and why: {@code accounts} to know which sub-accounts are a master's, so
 * a master reaches their keys and their reputation and nobody else does, to name the account of
 * each key and to find the master an alert also goes to; {@code audit} to record every act on a key
 * in its transaction, the operator's resume of a paused key included (D-32); {@code notifications}
 * for the alert e-mails (D-19); {@code tracking} for the key alerts' webhook events
 * ({@code Webhooks.publish}, written in the alert's transaction); {@code shared} for ids, the caller, its master guard, problems, the
 * outcome stream and the owners' addresses. Whether a key's account may still use it (D-12) is
 * decided by the caller's resolution in {@code access}.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"accounts", "notifications", "audit", "tracking", "shared"})
package io.mailtree.keys;
