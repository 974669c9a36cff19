/**
 * Creating accounts with everything they start with: sign-up of a master (owner, primary key,
 * verification e-mail, D-1, D-16), a master creating a sub-account (allocation, owner login,
 * secondary key, D-6, D-13, D-16) and operators provisioning masters. It sits above
 * {@code accounts}, {@code access} and {@code keys} so that none of them needs the others to
 * create an account, and it e-mails through {@code notifications}.
 */
package io.mailtree.onboarding;
