package io.mailtree.access;

import io.mailtree.shared.UserId;
import java.time.Duration;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The signed links Mailtree e-mails to people: address verification (24 hours, D-1) and password
 * set-up or reset (2 hours; a set-up link for a new owner lasts 7 days). A reset link is bound to
 * the password it replaces, so it works once.
 */
@Component
public class AccountLinks {

    static final Duration VERIFICATION_VALIDITY = Duration.ofHours(24);
    static final Duration RESET_VALIDITY = Duration.ofHours(2);
    static final Duration SETUP_VALIDITY = Duration.ofDays(7);

    private final SignedTokens tokens;
    private final Users users;
    private final String baseUrl;

    AccountLinks(SignedTokens tokens, Users users, @Value("${mailtree.base-url}") String baseUrl) {
        this.tokens = tokens;
        this.users = users;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    public String verificationLink(User user) {
        return baseUrl + "/verify?token=" + tokens.issue("verify", user.id().toString(), user.email(), VERIFICATION_VALIDITY);
    }

    public String passwordLink(User user, boolean setup) {
        return baseUrl + "/reset-password?token="
                + tokens.issue("password", user.id().toString(), passwordBinding(user), setup ? SETUP_VALIDITY : RESET_VALIDITY);
    }

    public Optional<User> verifiedUser(String token) {
        return tokens.verify(token, "verify", subject -> findUser(subject).map(User::email).orElse(null))
                .flatMap(this::findUser);
    }

    public Optional<User> passwordUser(String token) {
        return tokens.verify(token, "password", subject -> findUser(subject).map(AccountLinks::passwordBinding).orElse(null))
                .flatMap(this::findUser);
    }

    private Optional<User> findUser(String subject) {
        return io.mailtree.shared.Ids.parseUuid(subject).map(UserId::new).flatMap(users::find);
    }

    private static String passwordBinding(User user) {
        return user.passwordHash() == null ? "none" : user.passwordHash();
    }

}
