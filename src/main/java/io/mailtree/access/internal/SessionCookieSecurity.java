package io.mailtree.access.internal;

import jakarta.servlet.ServletContext;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.stereotype.Component;

/**
 * Marks the session cookie {@code Secure} when Mailtree is reached over https
 * ({@code MAILTREE_BASE_URL} starts with {@code https:}), so the browser never sends it over plain
 * HTTP. Behind a TLS-terminating proxy with {@code server.forward-headers-strategy=native}, Tomcat
 * also marks it on every request that arrived as https.
 */
@Component
class SessionCookieSecurity implements ServletContextInitializer {

    private final String baseUrl;

    SessionCookieSecurity(@Value("${mailtree.base-url:}") String baseUrl) {
        this.baseUrl = baseUrl == null ? "" : baseUrl.strip().toLowerCase(Locale.ROOT);
    }

    @Override
    public void onStartup(ServletContext servletContext) {
        if (baseUrl.startsWith("https:")) {
            servletContext.getSessionCookieConfig().setSecure(true);
        }
    }
}
