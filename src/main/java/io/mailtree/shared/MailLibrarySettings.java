package io.mailtree.shared;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Names Jakarta Mail's stream provider before any message is built. Jakarta Mail 2.1 looks its
 * {@code StreamProvider} up through {@code ServiceLoader} on every body part, header block and
 * encoded word it creates, scanning the class path each time; measured under the send benchmark,
 * that lookup took most of the CPU of composing, signing and relaying. With the provider named in
 * its system property, the lookup is a {@code Class.forName} of an already loaded class. A value
 * set on the command line wins.
 */
public class MailLibrarySettings implements EnvironmentPostProcessor {

    static final String STREAM_PROVIDER = "jakarta.mail.util.StreamProvider";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (System.getProperty(STREAM_PROVIDER) == null) {
            System.setProperty(STREAM_PROVIDER, "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }
}
