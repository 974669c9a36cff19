package io.mailtree.access.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockServletContext;

/** The session cookie is marked Secure when Mailtree is reached over https. */
class SessionCookieSecurityTests {

    @Test
    void secureWhenTheBaseUrlIsHttps() {
        assertThat(cookieSecure("https://mail.example.com")).isTrue();
        assertThat(cookieSecure("HTTPS://Mail.Example.com/")).isTrue();
        assertThat(cookieSecure("http://localhost:8080")).isFalse();
    }

    private static boolean cookieSecure(String baseUrl) {
        MockServletContext context = new MockServletContext();
        new SessionCookieSecurity(baseUrl).onStartup(context);
        return context.getSessionCookieConfig().isSecure();
    }
}
