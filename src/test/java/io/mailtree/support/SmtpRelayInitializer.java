package io.mailtree.support;

import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/** Points Mailtree's relay settings at the shared GreenMail server, and its DNS checks at the shared test DNS server. */
public class SmtpRelayInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        TestPropertyValues.of("mailtree.relay.host=127.0.0.1",
                "mailtree.relay.port=" + TestInfrastructure.SMTP.getSmtp().getPort(),
                "mailtree.submission-port=" + freePort(), "mailtree.inbound-port=" + freePort(),
                "mailtree.dns.resolver=" + TestInfrastructure.DNS.address()).applyTo(context);
    }

    /** A port nothing listens on now, for Mailtree's own SMTP servers in this context. */
    static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
