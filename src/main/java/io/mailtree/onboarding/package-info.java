/**
 * Creating accounts with everything they start with: sign-up of a master (owner, primary key,
 * verification e-mail, D-1, D-16), a master creating a sub-account (allocation, owner login,
 * secondary key, D-6, D-13, D-16) and operators provisioning masters. It sits above
 * {@code accounts}, {@code access} and {@code keys} so that none of them needs the others to
 * create an account, and it e-mails through {@code notifications}. Then the setup checklist of a new
 * account's home page, each step ticked from the state of the module that owns it.
 * <p>Allowed dependencies, and why: {@code accounts} to create the account and check the
 * allowance, and its API representations ({@code accounts :: api}) for the answers it gives;
 * {@code access} to create the owner's login and its links; {@code keys} for the primary or
 * secondary key (D-16), and whether a key's secret was ever shown (the checklist); {@code delivery}
 * for the checklist's confirmed sender, verified domain and first delivered message; {@code notifications} for the verification e-mail; {@code audit} for the
 * act (D-32); {@code shared} for ids and problems.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"accounts", "accounts :: api", "access", "keys", "delivery", "notifications", "audit", "shared"})
package io.mailtree.onboarding;
