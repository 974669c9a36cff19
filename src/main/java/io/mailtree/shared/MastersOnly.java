package io.mailtree.shared;

/**
 * The act belongs to a master account: creating and managing sub-accounts (D-5, D-15), sharing
 * with them (D-26) and the views across them (D-25). A sub-account, whether reached by its own
 * login, its own key, a switch or the on-behalf-of header, gets this one refusal with the stable
 * code {@code masters_only}, whichever act it tried. Services raise it through
 * {@link Caller#requireMaster()}, so a controller never needs to check first.
 */
public class MastersOnly extends DomainProblem {

    public static final String CODE = "masters_only";

    public MastersOnly() {
        super(403, CODE, "only a master account can do this");
    }
}
