package io.mailtree.access;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.Permission;
import io.mailtree.shared.Times;
import io.mailtree.shared.UserId;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The people who sign in. A login e-mail is unique across the whole installation. */
@Service
public class Users {

    public static final int PASSWORD_MIN = 10;
    public static final int PASSWORD_MAX = 128;

    private static final RowMapper<User> MAPPER = (rs, n) -> new User(new UserId(rs.getObject("id", UUID.class)),
            new AccountId(rs.getObject("account_id", UUID.class)), rs.getString("email"), rs.getString("password_hash"),
            UserRole.valueOf(rs.getString("role")), permissions(rs.getString("permissions")),
            Times.instant(rs, "email_verified_at"), Times.instant(rs, "password_changed_at"));

    private final JdbcClient jdbc;
    private final PasswordEncoder passwords;
    private final Clock clock;

    Users(JdbcClient jdbc, PasswordEncoder passwords, Clock clock) {
        this.jdbc = jdbc;
        this.passwords = passwords;
        this.clock = clock;
    }

    /**
     * Creates the owner of a new account. Without a password the owner sets one through the e-mailed
     * link. {@code verified} marks the e-mail as already proven (a sub-account created by its master).
     *
     * @throws DomainProblem {@code login_email_taken} when another user already signs in with it
     */
    @Transactional
    public User createOwner(AccountId account, String email, String rawPassword, boolean verified) {
        String normalised = EmailAddresses.normalise(email);
        String hash = rawPassword == null ? null : passwords.encode(validPassword(rawPassword));
        Instant now = clock.instant();
        requireLoginFree(normalised);
        User user = new User(UserId.random(), account, normalised, hash, UserRole.OWNER, Permission.all(),
                verified ? now : null, hash == null ? null : now);
        try {
            jdbc.sql("""
                    insert into app_user (id, account_id, email, email_key, password_hash, role, permissions,
                        email_verified_at, password_changed_at, created_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                    .params(user.id().value(), account.value(), normalised, EmailAddresses.loginKey(normalised), hash,
                            user.role().name(), text(user.permissions()), Times.sql(user.emailVerifiedAt()),
                            Times.sql(user.passwordChangedAt()), Times.sql(now))
                    .update();
        } catch (DuplicateKeyException raced) {
            throw loginTaken();
        }
        return user;
    }

    /** Longest display name a person may give themselves. */
    public static final int NAME_MAX = 200;

    /**
     * Creates a person who joins by invitation (D-21): a collaborator, not an owner; their rights live
     * in their grants ({@link Members}), none on the row. Following the e-mailed link proved the address.
     */
    @Transactional
    public User createCollaborator(AccountId firstAccount, String email, String name, String rawPassword) {
        String normalised = EmailAddresses.normalise(email);
        String displayName = name == null ? "" : name.strip();
        if (displayName.isEmpty() || displayName.length() > NAME_MAX) {
            throw DomainProblem.invalid("invalid_name", "give a name of 1 to " + NAME_MAX + " characters", NAME_MAX)
                    .with("field", "name");
        }
        String hash = passwords.encode(validPassword(rawPassword));
        requireLoginFree(normalised);
        Instant now = clock.instant();
        User user = new User(UserId.random(), firstAccount, normalised, hash, UserRole.COLLABORATOR,
                EnumSet.noneOf(Permission.class), now, now);
        try {
            jdbc.sql("""
                    insert into app_user (id, account_id, email, email_key, password_hash, role, permissions,
                        email_verified_at, password_changed_at, created_at, display_name)
                    values (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?)""")
                    .params(user.id().value(), firstAccount.value(), normalised, EmailAddresses.loginKey(normalised),
                            hash, user.role().name(), Times.sql(now), Times.sql(now), Times.sql(now), displayName)
                    .update();
        } catch (DuplicateKeyException raced) {
            throw loginTaken();
        }
        return user;
    }

    /**
     * Refuses a login e-mail that someone already uses, before anything is written. Users and
     * platform operators sign in through one form, so they share one namespace: an account owner
     * with the operator's address would shadow the operator, who could then never sign in.
     */
    public void requireLoginFree(String email) {
        String key = EmailAddresses.loginKey(EmailAddresses.normalise(email));
        if (jdbc.sql("select count(*) from app_user where email_key = ?").param(key).query(Long.class).single() > 0
                || jdbc.sql("select count(*) from platform_operator where email_key = ?").param(key)
                        .query(Long.class).single() > 0) {
            throw loginTaken();
        }
    }

    public Optional<User> find(UserId id) {
        return jdbc.sql("select * from app_user where id = ?").param(id.value()).query(MAPPER).optional();
    }

    public Optional<User> findByEmail(String email) {
        if (email == null || email.length() > 254) {
            return Optional.empty();
        }
        return jdbc.sql("select * from app_user where email_key = ?").param(email.strip().toLowerCase(java.util.Locale.ROOT))
                .query(MAPPER).optional();
    }

    public Optional<User> ownerOf(AccountId account) {
        return jdbc.sql("select * from app_user where account_id = ? and role = 'OWNER' order by created_at limit 1")
                .param(account.value()).query(MAPPER).optional();
    }

    @Transactional
    public void markVerified(UserId id) {
        jdbc.sql("update app_user set email_verified_at = ? where id = ? and email_verified_at is null")
                .params(Times.sql(clock.instant()), id.value()).update();
    }

    @Transactional
    public void changePassword(UserId id, String rawPassword) {
        String hash = passwords.encode(validPassword(rawPassword));
        jdbc.sql("update app_user set password_hash = ?, password_changed_at = ? where id = ?")
                .params(hash, Times.sql(clock.instant()), id.value()).update();
    }

    public boolean passwordMatches(User user, String rawPassword) {
        return user.passwordHash() != null && rawPassword != null && rawPassword.length() <= PASSWORD_MAX
                && passwords.matches(rawPassword, user.passwordHash());
    }

    /** Checks a password before anything is written, so a bad one changes nothing. */
    public void requireValidPassword(String raw) {
        validPassword(raw);
    }

    static String validPassword(String raw) {
        if (raw == null || raw.length() < PASSWORD_MIN || raw.length() > PASSWORD_MAX) {
            throw DomainProblem.invalid("invalid_password",
                    "the password must have between " + PASSWORD_MIN + " and " + PASSWORD_MAX + " characters",
                    PASSWORD_MIN, PASSWORD_MAX).with("field", "password");
        }
        return raw;
    }

    private static DomainProblem loginTaken() {
        return DomainProblem.conflict("login_email_taken", "this login e-mail is already in use")
                .with("field", "ownerEmail");
    }

    private static Set<Permission> permissions(String text) {
        if (text == null || text.isBlank()) {
            return EnumSet.noneOf(Permission.class);
        }
        return Arrays.stream(text.split(",")).map(String::strip).map(Permission::valueOf)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Permission.class)));
    }

    private static String text(Set<Permission> permissions) {
        return permissions.stream().map(Enum::name).sorted().collect(Collectors.joining(","));
    }
}
