package io.mailtree.access;

import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.Secrets;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

/**
 * The platform operators, who run the installation. The first one is bootstrapped on first start
 * from {@code MAILTREE_OPERATOR_EMAIL} and {@code MAILTREE_OPERATOR_PASSWORD}; without a password
 * a generated one is printed once to the console (standard output, not the log).
 */
@Service
public class PlatformOperators {

    private static final Logger log = LoggerFactory.getLogger(PlatformOperators.class);

    private final JdbcClient jdbc;
    private final PasswordEncoder passwords;
    private final Clock clock;
    private final String bootstrapEmail;
    private final String bootstrapPassword;
    private final java.io.PrintStream console;

    @org.springframework.beans.factory.annotation.Autowired
    PlatformOperators(JdbcClient jdbc, PasswordEncoder passwords, Clock clock,
            @Value("${mailtree.operator.email}") String bootstrapEmail,
            @Value("${mailtree.operator.password:}") String bootstrapPassword) {
        this(jdbc, passwords, clock, bootstrapEmail, bootstrapPassword, System.out);
    }

    PlatformOperators(JdbcClient jdbc, PasswordEncoder passwords, Clock clock, String bootstrapEmail,
            String bootstrapPassword, java.io.PrintStream console) {
        this.console = console;
        this.jdbc = jdbc;
        this.passwords = passwords;
        this.clock = clock;
        this.bootstrapEmail = bootstrapEmail;
        this.bootstrapPassword = bootstrapPassword;
    }

    /** An operator record: id, e-mail and password hash. */
    public record Operator(UUID id, String email, String passwordHash) {
    }

    @EventListener(ApplicationReadyEvent.class)
    void bootstrap() {
        long count = jdbc.sql("select count(*) from platform_operator").query(Long.class).single();
        if (count > 0) {
            return;
        }
        String email = EmailAddresses.normalise(bootstrapEmail);
        boolean generated = bootstrapPassword == null || bootstrapPassword.isBlank();
        String password = generated ? Secrets.randomToken(20) : bootstrapPassword;
        jdbc.sql("insert into platform_operator (id, email, email_key, password_hash, created_at) values (?, ?, ?, ?, ?)")
                .params(UUID.randomUUID(), email, EmailAddresses.loginKey(email), passwords.encode(password),
                        Times.sql(clock.instant()))
                .update();
        if (generated) {
            // Printed to the console only, never through the logger: log files are shipped, kept and
            // read by more people than the one starting the installation.
            console.println("Platform operator created: sign in at /login as " + email + " with the password "
                    + password + " (shown once; set MAILTREE_OPERATOR_PASSWORD to choose it)");
            console.flush();
            log.warn("Platform operator created: {}; its generated password was printed once to the console "
                    + "(standard output), not to the log", email);
        } else {
            log.info("Platform operator created: {}", email);
        }
    }

    public Optional<Operator> findByEmail(String email) {
        if (email == null || email.length() > 254) {
            return Optional.empty();
        }
        return jdbc.sql("select id, email, password_hash from platform_operator where email_key = ?")
                .param(email.strip().toLowerCase(java.util.Locale.ROOT))
                .query((rs, n) -> new Operator(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)))
                .optional();
    }

    public boolean passwordMatches(Operator operator, String raw) {
        return raw != null && raw.length() <= Users.PASSWORD_MAX && passwords.matches(raw, operator.passwordHash());
    }
}
