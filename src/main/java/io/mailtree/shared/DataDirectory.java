package io.mailtree.shared;

import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Resolves {@code MAILTREE_DATA_DIR} to an absolute path ({@code mailtree.data-path}) before
 * anything reads it: H2 refuses database paths that are implicitly relative, and every file Mailtree
 * keeps should land in one predictable place whatever the working directory.
 */
public class DataDirectory implements EnvironmentPostProcessor, Ordered {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String configured = environment.getProperty("mailtree.data-dir", "./data");
        Path absolute = Path.of(configured).toAbsolutePath().normalize();
        environment.getPropertySources().addFirst(new MapPropertySource("mailtreeDataDirectory",
                Map.of("mailtree.data-path", absolute.toString().replace('\\', '/'))));
    }

    @Override
    public int getOrder() {
        // After the configuration files and the environment have been read, before
        // EmbeddedDatabaseDurability reads the datasource URL that names mailtree.data-path.
        return Ordered.LOWEST_PRECEDENCE - 10;
    }
}
