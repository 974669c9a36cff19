package io.mailtree.access.internal;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.SubaccountInactive;
import io.mailtree.accounts.SubaccountNotFound;
import io.mailtree.keys.ApiKey;
import io.mailtree.keys.ApiKeys;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.web.ProblemJson;
import io.mailtree.shared.Permission;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code /api/v1} calls with HTTP Basic (public key, secret) and resolves the
 * account they act on, including a master key's {@code X-Mailtree-On-Behalf-Of} header. Refuses
 * an inactive sub-account's key (D-12) and an on-behalf-of target that is not one of the key's
 * sub-accounts. A revoked key and a rotated-out secret past its grace period are refused like a wrong
 * secret (D-17). Records the key's last use and client address, which the keys module writes at
 * most once a minute per key.
 */
class ApiKeyFilter extends OncePerRequestFilter {

    static final String ON_BEHALF_OF = "X-Mailtree-On-Behalf-Of";

    private final ApiKeys keys;
    private final AccountTree accounts;

    ApiKeyFilter(ApiKeys keys, AccountTree accounts) {
        this.keys = keys;
        this.accounts = accounts;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<ApiKey> key = credentials(request).flatMap(c -> keys.authenticate(c[0], c[1]));
        if (key.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"Mailtree API\"");
            ProblemJson.write(response, new DomainProblem(401, "invalid_credentials",
                    "authenticate with HTTP Basic: your public key as user name and your secret as password"),
                    request.getRequestURI());
            return;
        }
        keys.recordUse(key.get(), request.getRemoteAddr());
        try {
            Caller caller = resolve(key.get(), request);
            request.setAttribute(CallerAttribute.NAME, caller);
            SecurityContextHolder.getContext().setAuthentication(new UsernamePasswordAuthenticationToken(
                    key.get().publicKey(), null, List.of(new SimpleGrantedAuthority("ROLE_API"))));
        } catch (DomainProblem refused) {
            ProblemJson.write(response, refused, request.getRequestURI());
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    private Caller resolve(ApiKey key, HttpServletRequest request) {
        Account own = accounts.require(key.accountId());
        if (!own.isActive()) {
            throw new SubaccountInactive(own.name());
        }
        String onBehalfOf = request.getHeader(ON_BEHALF_OF);
        if (onBehalfOf == null) {
            return new Caller(own.id(), own.id(), own.isMaster(), Caller.Context.DIRECT, key.publicKey(), null, key.id(),
                    Permission.all(), request.getRemoteAddr());
        }
        if (!own.isMaster()) {
            throw DomainProblem.forbidden("on_behalf_of_not_allowed",
                    "only a master account's key may act on behalf of a sub-account");
        }
        AccountId target = AccountId.parse(onBehalfOf.strip()).orElseThrow(SubaccountNotFound::new);
        Account sub = accounts.subaccount(own.id(), target);
        if (!sub.isActive()) {
            throw new SubaccountInactive(sub.name());
        }
        return new Caller(sub.id(), own.id(), false, Caller.Context.ON_BEHALF_OF, key.publicKey(), null, key.id(),
                Permission.all(), request.getRemoteAddr());
    }

    /** The public key and secret of a Basic header, or empty if absent or malformed. */
    private static Optional<String[]> credentials(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6) || header.length() > 1024) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 1 ? Optional.empty()
                    : Optional.of(new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)});
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
    }
}
