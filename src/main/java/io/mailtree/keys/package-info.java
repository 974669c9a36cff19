/**
 * API keys (D-16, D-17): every account gets a primary key when created; a key is a public key and a
 * secret that is shown once and stored only as a SHA-256 hash behind a recognisable prefix, so
 * leaked secrets can be scanned for. Authenticates API calls. Each key carries its own sender
 * reputation (D-18), counted by a consumer of the delivery outcome stream, judged against the
 * operator's thresholds, alerted and paused on a crossing (D-19, ADR 0017).
 * <p>Allowed dependencies, and why: {@code shared} for ids, the outcome stream and the owners'
 * addresses; {@code accounts} for the tree a key's account sits in (its master sees its reputation
 * and its alerts, D-19); {@code notifications} for the alert e-mails; {@code audit} for the
 * operator's resume of a paused key (D-32). Whether a key's account may still use it is decided by
 * the caller's resolution in {@code access}.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"accounts", "notifications", "audit", "shared"})
package io.mailtree.keys;
