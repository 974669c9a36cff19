/**
 * People and sign-in: users (account owners, later collaborators) with their permissions (D-23),
 * platform operators, server-side sessions, API-key and operator-token authentication, the
 * one-click switch into a sub-account and back (D-14), and the resolution of every request into a
 * {@link io.mailtree.shared.Caller}. Permissions and account status are read on every request, so
 * a change takes effect on the very next one (D-12, D-24). Depends on {@code accounts} (status,
 * tree), {@code keys} (API authentication), {@code notifications} (verification and reset mail)
 * and {@code audit}.
 */
package io.mailtree.access;
