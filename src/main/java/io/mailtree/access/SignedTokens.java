package io.mailtree.access;

import io.mailtree.shared.Secrets;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Signed, expiring tokens for e-mailed links (verification, password set-up and reset). A token
 * carries its purpose, subject and expiry, signed with HMAC-SHA256 under the installation's key.
 * A {@code binding} (such as the current password hash) is signed too but not carried, so a reset
 * link stops working once the password it was meant to replace has changed.
 */
@Component
public class SignedTokens {

    private final Clock clock;
    private final byte[] key;

    /** Shortest {@code MAILTREE_SECRET} accepted: 32 characters, enough entropy for HMAC-SHA256 links. */
    public static final int SECRET_MIN_LENGTH = 32;

    SignedTokens(Clock clock, JdbcClient jdbc, @Value("${mailtree.secret:}") String configured) {
        if (configured != null && !configured.isBlank() && configured.length() < SECRET_MIN_LENGTH) {
            throw new IllegalStateException("MAILTREE_SECRET is set but has only " + configured.length()
                    + " characters; it signs every e-mailed link and needs at least " + SECRET_MIN_LENGTH
                    + " (for example the output of: openssl rand -base64 48). Leave it unset to use a key "
                    + "generated once and kept in the database.");
        }
        this.clock = clock;
        this.key = (configured != null && !configured.isBlank() ? configured : installationKey(jdbc))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The key generated on first start and shared through the database by every node. */
    private static String installationKey(JdbcClient jdbc) {
        Optional<String> existing = jdbc.sql("select secret_value from instance_secret where name = 'token-signing'")
                .query(String.class).optional();
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            jdbc.sql("insert into instance_secret (name, secret_value) values ('token-signing', ?)")
                    .param(Secrets.base64Url(Secrets.randomBytes(48))).update();
        } catch (DuplicateKeyException anotherNodeWon) {
            // fall through and read the winner's key
        }
        return jdbc.sql("select secret_value from instance_secret where name = 'token-signing'").query(String.class).single();
    }

    public String issue(String purpose, String subject, String binding, Duration validity) {
        long expires = clock.instant().plus(validity).getEpochSecond();
        String payload = purpose + "|" + subject + "|" + expires;
        String body = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return body + "." + sign(payload + "|" + binding);
    }

    /** The subject of a valid token of this purpose; empty for a forged, altered or expired one. */
    public Optional<String> verify(String token, String purpose, java.util.function.Function<String, String> bindingOf) {
        if (token == null || token.length() > 512) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot < 1) {
            return Optional.empty();
        }
        String payload;
        try {
            payload = new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        String[] parts = payload.split("\\|", -1);
        if (parts.length != 3 || !parts[0].equals(purpose)) {
            return Optional.empty();
        }
        long expires;
        try {
            expires = Long.parseLong(parts[2]);
        } catch (NumberFormatException notNumber) {
            return Optional.empty();
        }
        if (Instant.ofEpochSecond(expires).isBefore(clock.instant())) {
            return Optional.empty();
        }
        String binding = bindingOf.apply(parts[1]);
        if (binding == null || !Secrets.equal(sign(payload + "|" + binding), token.substring(dot + 1))) {
            return Optional.empty();
        }
        return Optional.of(parts[1]);
    }

    /**
     * A key of its own for {@code purpose}, derived from the installation key, for MACs that are not
     * e-mailed links (such as the per-recipient return path of delivery): no value computed with it
     * can stand for a token signed here, nor the other way round.
     */
    public byte[] derivedKey(String purpose) {
        return hmac(key, "derived-key|" + purpose);
    }

    private String sign(String text) {
        // One initialised Mac per thread: campaign mail signs a token per tracked link per recipient,
        // and a Mac's lookup and key set-up cost more than the HMAC of a short text.
        Mac mac = macs.get();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (java.security.GeneralSecurityException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static byte[] hmac(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
