package io.mailtree.access;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.stereotype.Service;

/**
 * The account switcher of the header (D-22): a person who belongs to several accounts picks the one
 * to work in. The session remembers only the choice; every request checks again that the person
 * still holds a grant there ({@link Members#accessesOf(User)}). Choosing rotates the session id.
 */
@Service
public class AccountChoice {

    /** The account the person chose to work in (their own, or one they were invited to). */
    public static final String SESSION_ATTRIBUTE = "mailtree.chosenAccount";

    private final Users users;
    private final Members members;
    private final AccountTree accounts;

    AccountChoice(Users users, Members members, AccountTree accounts) {
        this.users = users;
        this.members = members;
        this.accounts = accounts;
    }

    /**
     * Moves the caller's session into another of their accounts; a sub-account opened with D-14 closes.
     *
     * @throws DomainProblem {@code account_not_found} for an account the person holds no grant on (a 404, so
     *                       the answer tells nothing of accounts they cannot see)
     */
    public Account choose(Caller caller, AccountId target, HttpServletRequest request) {
        User user = caller.userId() == null ? null : users.find(caller.userId()).orElse(null);
        if (user == null) {
            throw DomainProblem.forbidden("not_a_person", "only a signed-in person has an account list");
        }
        boolean granted = members.accessesOf(user).stream().anyMatch(a -> a.accountId().equals(target));
        Account account = granted ? accounts.find(target).filter(Account::isActive).orElse(null) : null;
        if (account == null) {
            throw DomainProblem.notFound("account_not_found", "account");
        }
        HttpSession session = request.getSession();
        session.setAttribute(SESSION_ATTRIBUTE, target);
        session.removeAttribute(Switching.SESSION_ATTRIBUTE);
        request.changeSessionId();
        return account;
    }
}
