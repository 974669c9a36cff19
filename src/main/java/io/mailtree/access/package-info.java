/**
 * People and sign-in: users (account owners, later collaborators) with their permissions (D-23),
 * platform operators, server-side sessions, API-key and operator-token authentication, the
 * one-click switch into a sub-account and back (D-14), and the resolution of every request into a
 * {@link io.mailtree.shared.Caller}. Permissions and account status are read on every request, so
 * a change takes effect on the very next one (D-12, D-24).
 * <p>Allowed dependencies, and why: {@code accounts} to resolve a request's account, its status and
 * its place in the tree (switching, D-12, D-14); {@code keys} to authenticate API calls by key;
 * {@code notifications} to e-mail verification and reset links, within its per-address request
 * limits; {@code audit} to record sign-ins into sub-accounts and key acts; {@code shared} for the
 * caller, ids and problems.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"accounts", "keys", "notifications", "audit", "shared"})
package io.mailtree.access;
