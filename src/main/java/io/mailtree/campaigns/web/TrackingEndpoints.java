package io.mailtree.campaigns.web;

import io.mailtree.campaigns.Tracking;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Base64;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The open pixel ({@code GET /t/o/{token}}) and the click redirect ({@code GET /t/c/{token}}) of
 * campaign mail (ADR 0027), answered by a servlet filter ahead of every other: they need no session,
 * no security context, no handler mapping, no view and no request metrics, since the signed token in
 * the path is the whole proof, and a mail client loads a pixel for every recipient who opens. (Through
 * the security and MVC chains a request cost three times the CPU; the benchmark {@code bench/tracking.sh}
 * has the figures.) Answers are {@code Cache-Control: no-store}, so no proxy or mail client serves a
 * second open from a cache and a shared cache never keeps one recipient's redirect. A token that does
 * not verify answers 404 (the application's error page) and records nothing; a click redirects only
 * to the URL the campaign stored for the token's link. HEAD answers like GET and records nothing:
 * scanners probe with it.
 */
@Component
class TrackingEndpoints extends OncePerRequestFilter implements Ordered {

    static final String OPEN = "/t/o/";
    static final String CLICK = "/t/c/";
    /** The smallest transparent 1×1 GIF: 43 bytes. */
    static final byte[] PIXEL = Base64.getDecoder().decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==");

    private final Tracking tracking;

    TrackingEndpoints(Tracking tracking) {
        this.tracking = tracking;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !(path.startsWith(OPEN) || path.startsWith(CLICK)) || path.indexOf('/', OPEN.length()) >= 0;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String method = request.getMethod();
        boolean head = "HEAD".equals(method);
        if (!head && !"GET".equals(method)) {
            response.setHeader(HttpHeaders.ALLOW, "GET, HEAD");
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        String path = request.getRequestURI();
        String token = path.substring(OPEN.length());
        String agent = request.getHeader(HttpHeaders.USER_AGENT);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        if (path.startsWith(OPEN)) {
            if (!(head ? tracking.isGenuineOpen(token) : tracking.open(token, agent))) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
            response.setHeader(HttpHeaders.PRAGMA, "no-cache");
            response.setHeader(HttpHeaders.EXPIRES, "0");
            response.setContentType("image/gif");
            response.setContentLength(PIXEL.length);
            if (!head) {
                response.getOutputStream().write(PIXEL);
            }
            return;
        }
        Optional<String> target = head ? tracking.clickTarget(token) : tracking.click(token, agent);
        if (target.isEmpty()) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setStatus(HttpServletResponse.SC_FOUND);
        response.setHeader(HttpHeaders.LOCATION, target.get());
        response.setContentLength(0);
    }
}
