package io.mailtree.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** An embedded H2 database writes every commit through to its file, whatever URL the environment gives. */
class EmbeddedDatabaseDurabilityTests {

    @TempDir
    Path dir;

    @Test
    void addsWriteThroughToAnH2FileUrlThatSetsNoWriteDelay() {
        assertThat(EmbeddedDatabaseDurability.writeThrough("jdbc:h2:file:/srv/mailtree/data/mailtree;MODE=PostgreSQL"))
                .isEqualTo("jdbc:h2:file:/srv/mailtree/data/mailtree;MODE=PostgreSQL;WRITE_DELAY=0");
        assertThat(EmbeddedDatabaseDurability.writeThrough("jdbc:h2:./data/mailtree"))
                .isEqualTo("jdbc:h2:./data/mailtree;WRITE_DELAY=0");
    }

    @Test
    void leavesAWriteDelayTheUrlNamesPostgresqlAndMemoryAlone() {
        assertThat(EmbeddedDatabaseDurability.writeThrough("jdbc:h2:file:/d/mailtree;write_delay=200"))
                .isEqualTo("jdbc:h2:file:/d/mailtree;write_delay=200");
        assertThat(EmbeddedDatabaseDurability.writeThrough("jdbc:postgresql://db/mailtree"))
                .isEqualTo("jdbc:postgresql://db/mailtree");
        assertThat(EmbeddedDatabaseDurability.writeThrough("jdbc:h2:mem:test")).isEqualTo("jdbc:h2:mem:test");
        assertThat(EmbeddedDatabaseDurability.writeThrough(null)).isNull();
    }

    @Test
    void theEnvironmentsH2UrlOpensTheDatabaseWithNoWriteDelay() throws Exception {
        StandardEnvironment environment = new StandardEnvironment();
        String url = "jdbc:h2:file:" + dir.resolve("mailtree").toString().replace('\\', '/') + ";MODE=PostgreSQL";
        environment.getPropertySources().addLast(new MapPropertySource("given", Map.of("spring.datasource.url", url)));
        new EmbeddedDatabaseDurability().postProcessEnvironment(environment, null);

        try (Connection given = DriverManager.getConnection(url, "sa", "")) {
            assertThat(DatabaseKind.writeDelay(given)).as("H2's own default").isEqualTo(500);
        }
        try (Connection durable = DriverManager.getConnection(environment.getProperty("spring.datasource.url"), "sa", "")) {
            assertThat(DatabaseKind.writeDelay(durable)).isZero();
        }
    }

    @Test
    void theDefaultUrlOfApplicationYmlWritesThrough() throws Exception {
        String yml = Files.readString(Path.of("src/main/resources/application.yml"));
        String url = yml.lines().map(String::strip).filter(line -> line.startsWith("url: jdbc:h2:")).findFirst()
                .orElseThrow().substring("url: ".length());
        assertThat(url).endsWith(";WRITE_DELAY=0");
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(url.replace("${mailtree.data-path}", dir.toString().replace('\\', '/')));
        dataSource.setUser("sa");
        try (Connection connection = dataSource.getConnection()) {
            assertThat(DatabaseKind.writeDelay(connection)).isZero();
        }
    }
}
