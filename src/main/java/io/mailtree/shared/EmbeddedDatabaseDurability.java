package io.mailtree.shared;

import java.util.Locale;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Makes a commit on an embedded H2 database reach its file before the commit returns. By default
 * H2's store keeps recent commits in memory and writes them up to half a second later
 * ({@code WRITE_DELAY=500}), so a process that is killed loses commits it already answered for:
 * mail answered "accepted" vanished with the process. With {@code WRITE_DELAY=0} every commit that
 * changed something writes its chunk to the file (the operating system's cache, so it survives a
 * crash of the process, not a loss of power: there is no fsync per commit). The default URL in
 * {@code application.yml} says so itself; this adds it to an H2 URL given in the environment without
 * one. A URL that names a {@code WRITE_DELAY} is left as it is (then {@link DatabaseKind} warns at
 * start), and an in-memory database has no file to write through to.
 */
public class EmbeddedDatabaseDurability implements EnvironmentPostProcessor, Ordered {

    static final String WRITE_THROUGH = ";WRITE_DELAY=0";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String url = environment.getProperty("spring.datasource.url");
        String durable = writeThrough(url);
        if (durable != null && !durable.equals(url)) {
            environment.getPropertySources().addFirst(new MapPropertySource("mailtreeEmbeddedDurability",
                    Map.of("spring.datasource.url", durable)));
        }
    }

    /** The URL with {@code WRITE_DELAY=0} added when it is an H2 database on disk that sets no write delay. */
    static String writeThrough(String url) {
        if (url == null || !url.startsWith("jdbc:h2:") || url.startsWith("jdbc:h2:mem:")
                || url.toUpperCase(Locale.ROOT).contains(";WRITE_DELAY=")) {
            return url;
        }
        return url + WRITE_THROUGH;
    }

    @Override
    public int getOrder() {
        // After DataDirectory, whose mailtree.data-path the default URL names.
        return Ordered.LOWEST_PRECEDENCE;
    }
}
