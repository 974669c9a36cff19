package io.mailtree.shared;

import java.util.Set;

/**
 * Who is calling and for which account, resolved by the access module from the authenticated
 * principal on every request (never from a client-supplied id alone). Controllers take it as a
 * parameter; every tenant-owned query is scoped by {@link #accountId()}.
 *
 * @param accountId        the account the request acts on (a sub-account when switched into it or
 *                         addressed with the on-behalf-of header)
 * @param principalAccount the account the credential belongs to
 * @param master           whether {@code accountId} is a master account
 * @param context          how the caller reached {@code accountId}
 * @param actor            a readable name of the actor for the audit log (e-mail or public key)
 * @param userId           the signed-in user, or null for an API key
 * @param apiKeyId         the API key, or null for a signed-in user
 * @param permissions      what the caller may do in {@code accountId}
 * @param address          the remote address, for the audit log
 */
public record Caller(
        AccountId accountId,
        AccountId principalAccount,
        boolean master,
        Context context,
        String actor,
        UserId userId,
        ApiKeyId apiKeyId,
        Set<Permission> permissions,
        String address) {

    /** How a caller reached the account it acts on. */
    public enum Context {
        /** Signed in to, or keyed for, the account itself. */
        DIRECT,
        /** A master user who opened one of its sub-accounts with one click (D-14). */
        SWITCHED,
        /** A master API key with the {@code X-Mailtree-On-Behalf-Of} header. */
        ON_BEHALF_OF
    }

    public boolean has(Permission permission) {
        return permissions.contains(permission);
    }

    /** True when the caller reached a sub-account from its master (switched or on behalf of). */
    public boolean actingFromMaster() {
        return context != Context.DIRECT;
    }

    public boolean viaApiKey() {
        return apiKeyId != null;
    }

    /**
     * The one guard of a master's acts (D-5, D-25, D-26): refuses with {@link MastersOnly} unless
     * {@link #accountId()} is a master account. Services call it, so the refusal holds whichever
     * controller, job or test reaches them.
     */
    public void requireMaster() {
        if (!master) {
            throw new MastersOnly();
        }
    }
}
