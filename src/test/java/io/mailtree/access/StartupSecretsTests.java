package io.mailtree.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mailtree.support.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;

/** The installation's secrets at start: the link-signing key's minimum length, the operator's first password. */
class StartupSecretsTests {

    @Test
    void aShortMailtreeSecretRefusesTheStart() {
        assertThatThrownBy(() -> new SignedTokens(new MutableClock(), null, "only-31-characters-long-secret!"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MAILTREE_SECRET").hasMessageContaining("only 31 characters")
                .hasMessageContaining("at least 32");
        SignedTokens accepted = new SignedTokens(new MutableClock(), null, "x".repeat(SignedTokens.SECRET_MIN_LENGTH));
        String token = accepted.issue("verify", "subject", "binding", Duration.ofMinutes(5));
        assertThat(accepted.verify(token, "verify", subject -> "binding")).contains("subject");
    }

    @Test
    void theGeneratedOperatorPasswordGoesToTheConsoleOnlyNeverToTheLog() {
        JdbcDataSource database = new JdbcDataSource();
        database.setURL("jdbc:h2:mem:operators-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(database).locations("classpath:db/migration/common", "classpath:db/migration/h2")
                .load().migrate();
        JdbcClient jdbc = JdbcClient.create(database);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Logger logger = (Logger) LoggerFactory.getLogger(PlatformOperators.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            var encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
            PlatformOperators operators = new PlatformOperators(jdbc, encoder, new MutableClock(),
                    "first@operator.test", "", new PrintStream(console, true, StandardCharsets.UTF_8));
            operators.bootstrap();
            String printed = console.toString(StandardCharsets.UTF_8);
            String password = printed.replaceAll("(?s).*with the password (\\S+) .*", "$1");
            assertThat(printed).contains("first@operator.test").contains("with the password");
            assertThat(operators.passwordMatches(operators.findByEmail("first@operator.test").orElseThrow(), password))
                    .as("the printed password signs in").isTrue();
            assertThat(log.list).isNotEmpty();
            assertThat(log.list).allSatisfy(event -> assertThat(event.getFormattedMessage()).doesNotContain(password));
        } finally {
            logger.detachAppender(log);
        }
    }
}
