/**
 * The operator's side of the installation: the console that lists masters, sets a master's plan,
 * turns the sub-account feature on or off per master and sets an enterprise contact limit, and the
 * provisioning API ({@code /api/platform/v1}) that lets a hosting business do the same from its
 * own systems.
 * <p>Allowed dependencies, and why: {@code accounts} for the masters, plans and allowances the
 * console shows and changes; {@code onboarding} to provision masters; {@code keys} for the key a provisioned master is answered with; {@code access} for the
 * signed-in operator; {@code shared} for ids, problems and the outcome consumers whose lag the
 * console shows.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"accounts", "onboarding", "keys", "access", "shared"})
package io.mailtree.platform;
