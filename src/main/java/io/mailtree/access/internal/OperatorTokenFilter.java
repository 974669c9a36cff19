package io.mailtree.access.internal;

import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.web.ProblemJson;
import io.mailtree.shared.Secrets;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates the provisioning API ({@code /api/platform/v1}) with
 * {@code Authorization: Bearer <MAILTREE_OPERATOR_TOKEN>}. Without a configured token the API is
 * off and answers 404, so an installation that does not use it exposes nothing.
 */
class OperatorTokenFilter extends OncePerRequestFilter {

    static final String OPERATOR_ACTOR = "operator-token";

    private final String token;

    OperatorTokenFilter(String token) {
        this.token = token;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (token == null || token.isBlank()) {
            ProblemJson.write(response, new DomainProblem(404, "provisioning_api_disabled",
                    "the provisioning API is off: set MAILTREE_OPERATOR_TOKEN to enable it"), request.getRequestURI());
            return;
        }
        String header = request.getHeader("Authorization");
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
        if (!Secrets.equal(presented, token)) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"Mailtree provisioning\"");
            ProblemJson.write(response, new DomainProblem(401, "invalid_operator_token",
                    "authenticate with Authorization: Bearer <operator token>"), request.getRequestURI());
            return;
        }
        SecurityContextHolder.getContext().setAuthentication(new UsernamePasswordAuthenticationToken(OPERATOR_ACTOR, null,
                List.of(new SimpleGrantedAuthority("ROLE_OPERATOR"))));
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }
}
