package io.mailtree.audit.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.context.support.ResourceBundleMessageSource;

/** The audit page's addresses: loopback as "this machine", the long IPv6 loopback shortened, others as stored. */
class AuditViewTests {

    private final AuditView view = new AuditView(messages());

    @AfterEach
    void resetLocale() {
        LocaleContextHolder.resetLocaleContext();
    }

    @Test
    void longIpv6LoopbackReadsAsThisMachine() {
        LocaleContextHolder.setLocale(Locale.ENGLISH);
        assertThat(view.address("0:0:0:0:0:0:0:1")).isEqualTo("this machine (::1)");
        assertThat(view.address("::1")).isEqualTo("this machine (::1)");
        assertThat(view.address("127.0.0.1")).isEqualTo("this machine (127.0.0.1)");
        LocaleContextHolder.setLocale(Locale.FRENCH);
        assertThat(view.address("0:0:0:0:0:0:0:1")).isEqualTo("cette machine (::1)");
    }

    @Test
    void otherAddressesAreShownAsStored() {
        assertThat(view.address("203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(view.address("2001:db8::5")).isEqualTo("2001:db8::5");
        assertThat(view.address(null)).isEmpty();
    }

    private static ResourceBundleMessageSource messages() {
        ResourceBundleMessageSource source = new ResourceBundleMessageSource();
        source.setBasename("messages");
        source.setDefaultEncoding("UTF-8");
        source.setFallbackToSystemLocale(false);
        return source;
    }
}
