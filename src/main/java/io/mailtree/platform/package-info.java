/**
 * The operator's side of the installation: the console that lists masters, sets a master's plan,
 * turns the sub-account feature on or off per master and sets an enterprise contact limit, and the
 * provisioning API ({@code /api/platform/v1}) that lets a hosting business do the same from its
 * own systems. Depends on {@code accounts} for the tree, {@code onboarding} to create masters, and
 * {@code access} for who the operator is.
 */
package io.mailtree.platform;
