package io.mailtree.shared;

import java.util.Collection;
import java.util.Map;

/**
 * The display names of accounts, for modules that show a row per account but must not depend on
 * the {@code accounts} module (the audit log sits below it) nor read its table. Implemented by the
 * account tree.
 */
public interface AccountNames {

    /** The name of each of {@code ids} that exists; an unknown id is simply absent from the answer. */
    Map<AccountId, String> namesOf(Collection<AccountId> ids);
}
