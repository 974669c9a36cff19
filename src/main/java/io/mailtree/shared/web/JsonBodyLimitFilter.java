package io.mailtree.shared.web;

import io.mailtree.shared.DomainProblem;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps JSON request bodies at 1 MiB, so an oversized or endless body is refused with 413 before it
 * is buffered, whether it declares its length or streams it chunked. Uploads (multipart) have their
 * own limits.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class JsonBodyLimitFilter extends OncePerRequestFilter {

    static final long MAX_JSON_BYTES = 1024 * 1024;
    /** The send API carries attachments in base64: 25 MB of files take about 34 MB. */
    static final long MAX_SEND_BYTES = 40L * 1024 * 1024;

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String type = request.getContentType();
        if (type == null || !type.toLowerCase().contains("json")) {
            chain.doFilter(request, response);
            return;
        }
        long limit = request.getRequestURI().equals("/api/v1/send") ? MAX_SEND_BYTES : MAX_JSON_BYTES;
        if (request.getContentLengthLong() > limit) {
            tooLarge(request, response, limit);
            return;
        }
        chain.doFilter(new HttpServletRequestWrapper(request) {
            private ServletInputStream bounded;

            @Override
            public ServletInputStream getInputStream() throws IOException {
                if (bounded == null) {
                    bounded = new BoundedInputStream(super.getInputStream(), limit);
                }
                return bounded;
            }
        }, response);
    }

    private static void tooLarge(HttpServletRequest request, HttpServletResponse response, long limit)
            throws IOException {
        ProblemJson.write(response, new DomainProblem(413, "payload_too_large",
                "the request body is larger than " + limit + " bytes"), request.getRequestURI());
    }

    /** Fails the read once more than the limit has come in; the API answers it as malformed. */
    private static final class BoundedInputStream extends ServletInputStream {

        private final ServletInputStream delegate;
        private final long limit;
        private long count;

        BoundedInputStream(ServletInputStream delegate, long limit) {
            this.delegate = delegate;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = delegate.read();
            if (b >= 0 && ++count > limit) {
                throw new IOException("request body over " + limit + " bytes");
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = delegate.read(buffer, offset, length);
            if (n > 0 && (count += n) > limit) {
                throw new IOException("request body over " + limit + " bytes");
            }
            return n;
        }

        @Override
        public boolean isFinished() {
            return delegate.isFinished();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            delegate.setReadListener(listener);
        }
    }
}
