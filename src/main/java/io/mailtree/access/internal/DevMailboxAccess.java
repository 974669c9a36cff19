package io.mailtree.access.internal;

import io.mailtree.access.SignedInOperator;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * Who may read the development mailbox, which holds every password-reset link and every tenant's
 * outbound mail: a signed-in platform operator, or someone on the machine itself. "On the machine"
 * means a loopback peer and a loopback local address with no forwarding header at all: a reverse
 * proxy on the same host connects from loopback for every visitor, and one that names the visitor
 * in X-Forwarded-For, Forwarded or X-Real-IP must not turn that visitor into a local user.
 */
final class DevMailboxAccess implements AuthorizationManager<RequestAuthorizationContext> {

    /** Headers by which a proxy says the request is not its own; any of them refuses loopback access. */
    static final List<String> FORWARDING_HEADERS = List.of("X-Forwarded-For", "Forwarded", "X-Real-IP",
            "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Forwarded-Prefix");

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication,
            RequestAuthorizationContext context) {
        Authentication caller = authentication.get();
        boolean operator = caller != null && caller.isAuthenticated()
                && caller.getPrincipal() instanceof SignedInOperator;
        return new AuthorizationDecision(operator || isDirectLocalRequest(context.getRequest()));
    }

    static boolean isDirectLocalRequest(HttpServletRequest request) {
        for (String header : FORWARDING_HEADERS) {
            if (request.getHeader(header) != null) {
                return false;
            }
        }
        return isLoopback(request.getRemoteAddr()) && isLoopback(request.getLocalAddr());
    }

    private static boolean isLoopback(String address) {
        if (address == null || address.isBlank()) {
            return false;
        }
        // Only literal addresses are parsed (no DNS look-up): a servlet container reports them that way.
        if (!address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':' || c == '[' || c == ']')) {
            return false;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (java.net.UnknownHostException notAnAddress) {
            return false;
        }
    }
}
