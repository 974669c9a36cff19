package io.mailtree.access.internal;

import io.mailtree.access.SignedInUser;
import io.mailtree.access.Switching;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Resolves a signed-in user's request into a {@link Caller}, reading the user, the account and the
 * switched-into sub-account afresh each time: a deactivated account is signed out on its next
 * request (D-12), a changed permission applies at once (D-24), and an unverified master reaches
 * only the "check your e-mail" page (D-1), and a session older than the user's last password change
 * is ended.
 */
class WebCallerFilter extends OncePerRequestFilter {

    static final String CURRENT_ACCOUNT = "mailtree.currentAccount";
    static final String HOME_ACCOUNT = "mailtree.homeAccount";
    /** The user's password version this session was signed in under; another one ends the session. */
    static final String PASSWORD_STAMP = "mailtree.passwordStamp";

    private static final Set<String> OPEN_TO_UNVERIFIED = Set.of("/check-email", "/verify", "/resend-verification",
            "/logout", "/login", "/error", "/dev/mailbox", "/favicon.ico");
    private static final List<String> STATIC_PREFIXES = List.of("/css/", "/js/", "/webjars/", "/i/");

    private final Users users;
    private final AccountTree accounts;

    WebCallerFilter(Users users, AccountTree accounts) {
        this.users = users;
        this.accounts = accounts;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication != null && authentication.getPrincipal() instanceof SignedInUser signedIn) {
            Optional<User> user = users.find(signedIn.userId());
            Optional<Account> home = user.flatMap(u -> accounts.find(u.accountId()));
            if (home.isEmpty() || !home.get().isActive()) {
                signOut(request);
                response.sendRedirect(request.getContextPath() + "/login?error=deactivated");
                return;
            }
            if (!samePasswordAsAtSignIn(request.getSession(false), user.get())) {
                signOut(request);
                response.sendRedirect(request.getContextPath() + "/login?signedOut");
                return;
            }
            Account current = switchedInto(request.getSession(false), home.get(), user.get());
            Caller caller = new Caller(current.id(), home.get().id(), current.isMaster(),
                    current == home.get() ? Caller.Context.DIRECT : Caller.Context.SWITCHED, user.get().email(),
                    user.get().id(), null, user.get().effectivePermissions(), request.getRemoteAddr());
            request.setAttribute(CallerAttribute.NAME, caller);
            request.setAttribute(CURRENT_ACCOUNT, current);
            request.setAttribute(HOME_ACCOUNT, home.get());
            if (!home.get().isVerified() && !openToUnverified(path(request))) {
                response.sendRedirect(request.getContextPath() + "/check-email");
                return;
            }
        }
        chain.doFilter(request, response);
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

    private Account switchedInto(HttpSession session, Account home, User user) {
        if (session == null || !(session.getAttribute(Switching.SESSION_ATTRIBUTE) instanceof AccountId target)) {
            return home;
        }
        Optional<Account> sub = home.isMaster() && user.effectivePermissions().contains(Permission.SUBACCOUNTS)
                ? accounts.find(target).filter(a -> home.id().equals(a.parentId())).filter(Account::isActive)
                : Optional.empty();
        if (sub.isEmpty()) {
            session.removeAttribute(Switching.SESSION_ATTRIBUTE);
            return home;
        }
        return sub.get();
    }

    private static boolean openToUnverified(String path) {
        return OPEN_TO_UNVERIFIED.contains(path) || STATIC_PREFIXES.stream().anyMatch(path::startsWith);
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }

    private static void signOut(HttpServletRequest request) {
        SecurityContextHolder.clearContext();
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }
}
