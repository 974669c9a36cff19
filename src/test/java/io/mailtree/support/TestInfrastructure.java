package io.mailtree.support;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * What every integration test shares: one movable clock, one real SMTP server (GreenMail) as the
 * relay, one real DNS server for domain checks, and a schema rebuilt from the migrations once per test run.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestInfrastructure {

    public static final MutableClock CLOCK = new MutableClock();
    public static final GreenMail SMTP = startSmtp();
    /** The DNS server every context resolves through ({@code mailtree.dns.resolver}); tests publish records on it. */
    public static final TestDnsServer DNS = TestDnsServer.start();
    private static final AtomicBoolean CLEANED = new AtomicBoolean();

    @Bean
    @Primary
    MutableClock testClock() {
        return CLOCK;
    }

    /** Clean once per JVM, so each run starts from an empty schema but contexts can share it. */
    @Bean
    FlywayMigrationStrategy cleanOnceThenMigrate() {
        return flyway -> {
            if (CLEANED.compareAndSet(false, true)) {
                flyway.clean();
            }
            flyway.migrate();
        };
    }

    private static GreenMail startSmtp() {
        GreenMail greenMail = new GreenMail(com.icegreen.greenmail.util.ServerSetupTest.SMTP.dynamicPort());
        greenMail.start();
        return greenMail;
    }
}
