package io.mailtree.access.internal;

import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.web.ProblemJson;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.springframework.http.server.PathContainer;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The size of a multipart request, decided before anything reads its body.
 *
 * <p>Tomcat takes a servlet's multipart limits ({@code spring.servlet.multipart}) when it parses a
 * request's parts, and parsing starts at the first parameter read: Spring Security's CSRF filter
 * reads {@code _csrf} before any sign-in is checked. Those limits are per servlet, and Mailtree has
 * one, so they must fit the largest upload (a contact import); and a servlet mapping per upload path
 * cannot express paths such as {@code /emails/{id}/attachments}. So this filter, placed in each
 * security chain after the caller is known and before anything reads the body, lets a multipart
 * request through with the container's limit only when it goes to an upload endpoint from a signed-in
 * caller. Any other multipart request must declare a Content-Length of at most
 * {@code mailtree.multipart.max-bytes} (1 MB): refused with 413 {@code payload_too_large}, or 411
 * {@code length_required} without a length, before a byte is spooled to disk.
 */
class MultipartLimitFilter extends OncePerRequestFilter {

    /** The endpoints that take files (POST): imports, images, attachments, template HTML files. */
    private static final List<PathPattern> UPLOADS = List.of("/api/v1/imports", "/imports/new", "/api/v1/images",
            "/images", "/api/v1/emails/{id}/attachments", "/emails/{id}/attachments", "/api/v1/templates",
            "/templates/upload").stream().map(PathPatternParser.defaultInstance::parse).toList();

    private final long maxBytes;

    MultipartLimitFilter(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!isMultipart(request) || uploadFromSignedInCaller(request)) {
            chain.doFilter(request, response);
            return;
        }
        long length = request.getContentLengthLong();
        if (length < 0) {
            refuse(request, response, new DomainProblem(411, "length_required",
                    "a multipart request here must declare its Content-Length"));
        } else if (length > maxBytes) {
            refuse(request, response, new DomainProblem(413, "payload_too_large",
                    "a multipart request here may have at most " + maxBytes + " bytes", maxBytes));
        } else {
            chain.doFilter(request, response);
        }
    }

    private static boolean isMultipart(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/");
    }

    private static boolean uploadFromSignedInCaller(HttpServletRequest request) {
        if (!"POST".equals(request.getMethod())) {
            return false;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        PathContainer container = PathContainer.parsePath(path);
        if (UPLOADS.stream().noneMatch(pattern -> pattern.matches(container))) {
            return false;
        }
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        return caller != null && caller.isAuthenticated() && !(caller instanceof AnonymousAuthenticationToken);
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, DomainProblem problem)
            throws IOException {
        // The body is not read: Tomcat swallows at most server.tomcat.max-swallow-size of it, then closes.
        response.setHeader("Connection", "close");
        ProblemJson.write(response, problem, request.getRequestURI());
    }
}
