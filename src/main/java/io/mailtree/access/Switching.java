package io.mailtree.access;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import jakarta.servlet.http.HttpSession;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * D-14: a master's user opens one of its sub-accounts with one click (no password) and comes back
 * with "Back to main"; both are audit-logged. The session remembers only which sub-account is open;
 * every request checks again that it still belongs to the user's master and is active.
 */
@Service
public class Switching {

    public static final String SESSION_ATTRIBUTE = "mailtree.switchedTo";

    private final AccountTree accounts;
    private final AuditLog audit;

    Switching(AccountTree accounts, AuditLog audit) {
        this.accounts = accounts;
        this.audit = audit;
    }

    @Transactional
    public Account open(Caller caller, AccountId subId, HttpSession session) {
        if (caller.userId() == null || caller.context() != Caller.Context.DIRECT || !caller.master()) {
            throw DomainProblem.forbidden("switch_not_allowed", "only a master's user can open a sub-account");
        }
        if (!caller.has(Permission.SUBACCOUNTS)) {
            throw DomainProblem.forbidden("permission_denied", "the permission SUBACCOUNTS is required", "SUBACCOUNTS");
        }
        Account sub = accounts.subaccount(caller.accountId(), subId);
        if (!sub.isActive()) {
            throw new io.mailtree.accounts.SubaccountInactive(sub.name());
        }
        session.setAttribute(SESSION_ATTRIBUTE, sub.id());
        audit.record(caller, caller.accountId(), sub.id(), "subaccount.entered", "account", sub.id().toString(), null);
        return sub;
    }

    /** Back to main: answers the master's id, or null when nothing was open. */
    @Transactional
    public AccountId back(Caller caller, HttpSession session) {
        if (caller.context() != Caller.Context.SWITCHED) {
            return null;
        }
        session.removeAttribute(SESSION_ATTRIBUTE);
        audit.record(caller, caller.principalAccount(), caller.accountId(), "subaccount.left", "account",
                caller.accountId().toString(), null);
        return caller.principalAccount();
    }
}
