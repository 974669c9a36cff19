package io.mailtree.access.internal;

import io.mailtree.access.LoginThrottle;
import io.mailtree.access.Members;
import io.mailtree.access.PlatformOperators;
import io.mailtree.access.TwoFactor;
import io.mailtree.access.TwoFactorPending;
import io.mailtree.access.SignedInOperator;
import io.mailtree.access.SignedInUser;
import io.mailtree.access.User;
import io.mailtree.access.Users;
import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Signs in account users and platform operators with e-mail and password. The deactivated-account
 * message (D-12) is given only to someone who knew the password, so it reveals nothing to a
 * guesser; repeated failures are throttled.
 */
@Component
class PasswordSignIn implements AuthenticationProvider {

    private final Users users;
    private final PlatformOperators operators;
    private final AccountTree accounts;
    private final LoginThrottle throttle;
    private final Members members;
    private final TwoFactor twoFactor;

    PasswordSignIn(Users users, PlatformOperators operators, AccountTree accounts, LoginThrottle throttle,
            Members members, TwoFactor twoFactor) {
        this.members = members;
        this.twoFactor = twoFactor;
        this.users = users;
        this.operators = operators;
        this.accounts = accounts;
        this.throttle = throttle;
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String login = String.valueOf(authentication.getPrincipal());
        String password = authentication.getCredentials() == null ? null : authentication.getCredentials().toString();
        String address = remoteAddress();
        if (throttle.isBlocked(login, address)) {
            throw new LockedException("throttled");
        }
        // The operator is looked up first: sign-up refuses the operator's address now, but an account
        // owner created with it before must not shadow the operator (one login namespace).
        var operator = operators.findByEmail(login);
        if (operator.isPresent() && operators.passwordMatches(operator.get(), password)) {
            throttle.recordSuccess(login, address);
            return new UsernamePasswordAuthenticationToken(
                    new SignedInOperator(operator.get().id(), operator.get().email()), null,
                    List.of(new SimpleGrantedAuthority("ROLE_OPERATOR")));
        }
        Optional<User> user = users.findByEmail(login);
        if (user.isPresent() && users.passwordMatches(user.get(), password)) {
            // An owner whose account is deactivated, or a collaborator whose every grant was withdrawn,
            // is told so; the message goes only to someone who knew the password.
            List<Members.Access> accesses = members.accessesOf(user.get());
            if (accesses.isEmpty()) {
                throw new DisabledException("revoked");
            }
            if (accounts.findAll(accesses.stream().map(Members.Access::accountId).toList()).values().stream()
                    .noneMatch(Account::isActive)) {
                throw new DisabledException("deactivated");
            }
            throttle.recordSuccess(login, address);
            // With two-factor sign-in on, the password opens only the code page (ADR 0019).
            String role = twoFactor.isEnabled(user.get().id()) ? TwoFactorPending.ROLE : "ROLE_USER";
            return new UsernamePasswordAuthenticationToken(new SignedInUser(user.get().id(), user.get().email()), null,
                    List.of(new SimpleGrantedAuthority(role)));
        }
        throttle.recordFailure(login, address);
        throw new BadCredentialsException("bad credentials");
    }

    private static String remoteAddress() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
            HttpServletRequest request = attributes.getRequest();
            return request.getRemoteAddr();
        }
        return "unknown";
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
