package io.mailtree.access.internal;

import io.mailtree.access.AccountChoice;
import io.mailtree.access.Members;
import io.mailtree.access.SignedInUser;
import io.mailtree.access.Switching;
import io.mailtree.access.TwoFactor;
import io.mailtree.access.TwoFactorPending;
import io.mailtree.access.User;
import io.mailtree.access.Users;
import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Permission;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Resolves a signed-in person's request into a {@link Caller}, reading the person, their grants, the
 * chosen account and the switched-into sub-account afresh each time, from the database every node
 * shares (no snapshot taken at sign-in, nothing cached per node): a deactivated account is signed out
 * on its next request (D-12), a revoked grant too with its own message, a changed permission applies
 * at once and rotates the session id (D-24), an unverified master reaches only the "check your
 * e-mail" page (D-1), and a session older than the person's last password change is ended.
 */
class WebCallerFilter extends OncePerRequestFilter {

    static final String CURRENT_ACCOUNT = "mailtree.currentAccount";
    static final String HOME_ACCOUNT = "mailtree.homeAccount";
    /** The accounts of the header's account switcher: every active one the person holds a grant on. */
    static final String ACCOUNT_CHOICES = "mailtree.accountChoices";
    /** The user's password version this session was signed in under; another one ends the session. */
    static final String PASSWORD_STAMP = "mailtree.passwordStamp";
    /** The rights this session last acted under; other ones rotate the session id (a privilege change). */
    static final String GRANT_STAMP = "mailtree.grantStamp";

    private static final Set<String> OPEN_TO_UNVERIFIED = Set.of("/check-email", "/verify", "/resend-verification",
            "/logout", "/login", "/error", "/dev/mailbox", "/favicon.ico");
    private static final List<String> STATIC_PREFIXES = List.of("/css/", "/js/", "/webjars/", "/i/");

    private final Users users;
    private final Members members;
    private final AccountTree accounts;
    private final TwoFactor twoFactor;

    WebCallerFilter(Users users, Members members, AccountTree accounts, TwoFactor twoFactor) {
        this.twoFactor = twoFactor;
        this.users = users;
        this.members = members;
        this.accounts = accounts;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication != null && authentication.getPrincipal() instanceof SignedInUser signedIn
                && !TwoFactorPending.is(authentication)) {
            Optional<User> user = users.find(signedIn.userId());
            if (user.isEmpty()) {
                signOut(request, response, "deactivated");
                return;
            }
            HttpSession session = request.getSession(false);
            if (!samePasswordAsAtSignIn(session, user.get())) {
                signOut(request, response, null);
                return;
            }
            List<Members.Access> accesses = members.accessesOf(user.get());
            List<Account> choices = new ArrayList<>();
            Members.Access chosen = null;
            Account home = null;
            AccountId remembered = session != null && session.getAttribute(AccountChoice.SESSION_ATTRIBUTE)
                    instanceof AccountId id ? id : null;
            // Every granted account in one query, whatever the number of grants.
            Map<AccountId, Account> granted = accounts.findAll(accesses.stream().map(Members.Access::accountId).toList());
            for (Members.Access access : accesses) {
                Optional<Account> account = Optional.ofNullable(granted.get(access.accountId())).filter(Account::isActive);
                if (account.isEmpty()) {
                    continue;
                }
                choices.add(account.get());
                if (chosen == null && (remembered == null || remembered.equals(access.accountId()))) {
                    chosen = access;
                    home = account.get();
                }
            }
            if (chosen == null) {
                // The account this session worked in is deactivated, or gone from the person's grants.
                boolean stillGranted = accesses.stream().anyMatch(a -> remembered == null || a.accountId().equals(remembered));
                signOut(request, response, stillGranted ? "deactivated" : "revoked");
                return;
            }
            if (session != null && remembered == null) {
                session.setAttribute(AccountChoice.SESSION_ATTRIBUTE, chosen.accountId());
            }
            Set<Permission> permissions = chosen.permissions();
            rotateOnPrivilegeChange(request, session, chosen);
            Account current = switchedInto(session, home, permissions);
            Caller caller = new Caller(current.id(), home.id(), current.isMaster(),
                    current == home ? Caller.Context.DIRECT : Caller.Context.SWITCHED, user.get().email(),
                    user.get().id(), null, permissions, request.getRemoteAddr());
            if (!chosen.owner()) {
                members.touch(user.get().id(), home.id());
            }
            request.setAttribute(CallerAttribute.NAME, caller);
            request.setAttribute(CURRENT_ACCOUNT, current);
            request.setAttribute(HOME_ACCOUNT, home);
            request.setAttribute(ACCOUNT_CHOICES, List.copyOf(choices));
            if (!home.isVerified() && !openToUnverified(path(request))) {
                response.sendRedirect(request.getContextPath() + "/check-email");
                return;
            }
            // The account's owner requires two-factor sign-in: enrol first, on this very request.
            if (!openToUnenrolled(path(request)) && twoFactor.mustEnrol(user.get().id(), home.id())) {
                response.sendRedirect(request.getContextPath() + "/profile/two-factor?required");
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /**
     * A grant changed since this session's last request (D-24): the rights apply at once, and the
     * session id changes, so an id captured before the change does not carry the new rights.
     */
    private static void rotateOnPrivilegeChange(HttpServletRequest request, HttpSession session, Members.Access access) {
        if (session == null) {
            return;
        }
        String stamp = access.accountId() + "|" + new TreeSet<>(access.permissions());
        Object seen = session.getAttribute(GRANT_STAMP);
        if (seen != null && !seen.equals(stamp)) {
            request.changeSessionId();
        }
        session.setAttribute(GRANT_STAMP, stamp);
    }

    /**
     * A password reset (or set-up) ends every other session of the user: a session remembers the
     * password version it first saw, and a changed one signs it out on its next request.
     */
    private static boolean samePasswordAsAtSignIn(HttpSession session, User user) {
        if (session == null) {
            return true;
        }
        String owner = user.id() + "|";
        String current = owner + user.passwordChangedAt();
        // A stamp of another user (signed in over an earlier session without signing out) is replaced.
        if (!(session.getAttribute(PASSWORD_STAMP) instanceof String seen) || !seen.startsWith(owner)) {
            session.setAttribute(PASSWORD_STAMP, current);
            return true;
        }
        return seen.equals(current);
    }

    /**
     * The sub-account opened with D-14, if it is still one of this master's, active, and the person
     * still holds {@code SUBACCOUNTS} on the master (owners and such collaborators, D-25).
     */
    private Account switchedInto(HttpSession session, Account home, Set<Permission> permissions) {
        if (session == null || !(session.getAttribute(Switching.SESSION_ATTRIBUTE) instanceof AccountId target)) {
            return home;
        }
        Optional<Account> sub = home.isMaster() && permissions.contains(Permission.SUBACCOUNTS)
                ? accounts.find(target).filter(a -> home.id().equals(a.parentId())).filter(Account::isActive)
                : Optional.empty();
        if (sub.isEmpty()) {
            session.removeAttribute(Switching.SESSION_ATTRIBUTE);
            return home;
        }
        return sub.get();
    }

    private static boolean openToUnenrolled(String path) {
        return path.equals("/profile/two-factor") || path.startsWith("/profile/two-factor/") || path.equals("/logout")
                || path.equals("/error") || path.equals("/favicon.ico") || STATIC_PREFIXES.stream().anyMatch(path::startsWith);
    }

    private static boolean openToUnverified(String path) {
        return OPEN_TO_UNVERIFIED.contains(path) || STATIC_PREFIXES.stream().anyMatch(path::startsWith);
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }

    /** Ends the session and sends the person to the sign-in page, with the reason when there is one. */
    private static void signOut(HttpServletRequest request, HttpServletResponse response, String reason)
            throws IOException {
        SecurityContextHolder.clearContext();
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        response.sendRedirect(request.getContextPath() + (reason == null ? "/login?signedOut" : "/login?error=" + reason));
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }
}
