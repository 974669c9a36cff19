/**
 * API keys (D-16, D-17): every account gets a primary key when created; a key is a public key and a
 * secret that is shown once and stored only as a SHA-256 hash behind a recognisable prefix, so
 * leaked secrets can be scanned for. Authenticates API calls. Depends on {@code accounts} to refuse
 * the keys of an inactive sub-account (D-12) and on {@code audit} to record key acts.
 */
package io.mailtree.keys;
