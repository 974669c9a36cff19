package io.mailtree.delivery;

import io.mailtree.access.SignedTokens;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * The token of a message's return path for one recipient, {@code bounces+<token>@<bounce domain>}:
 * the message's id in base 36, a dash, and 96 bits of an HMAC-SHA256 of the message id and that
 * recipient under a key derived from the installation key. Every recipient's copy goes out in its
 * own SMTP transaction with its own return path, so what one recipient can see (the Return-Path of
 * its copy) speaks for that recipient alone, and nobody without the key can make up a token for
 * another message or another recipient. Lower case letters, digits and one dash: it survives the
 * mail systems that change the case of a local part, and fits the 64 characters a local part has.
 */
@Component
class ReturnPaths {

    private static final int MAC_BYTES = 12;
    private static final int MAX_ID_CHARS = 13;
    private static final HexFormat HEX = HexFormat.of();

    private final SecretKeySpec key;
    private final String bounceDomain;

    ReturnPaths(SignedTokens tokens, BounceDomain bounceDomain) {
        this.key = new SecretKeySpec(tokens.derivedKey("return-path"), "HmacSHA256");
        this.bounceDomain = bounceDomain.name();
    }

    /** The return path of {@code recipient}'s copy of message {@code messageId}: {@code bounces+<token>@<bounce domain>}. */
    String address(long messageId, String recipient) {
        return "bounces+" + token(messageId, recipient) + "@" + bounceDomain;
    }

    /** The token for {@code recipient} of message {@code messageId} (the message's row id). */
    String token(long messageId, String recipient) {
        return Long.toString(messageId, 36) + "-" + mac(messageId, recipient);
    }

    /** Whether {@code token} is exactly the one issued for this message and recipient (in constant time). */
    boolean issuedFor(String token, long messageId, String recipient) {
        return token != null && MessageDigest.isEqual(token.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
                token(messageId, recipient).getBytes(StandardCharsets.US_ASCII));
    }

    /** The message a well-formed token names; empty for anything else. Says nothing about its MAC. */
    static OptionalLong messageOf(String token) {
        if (token == null) {
            return OptionalLong.empty();
        }
        int dash = token.indexOf('-');
        if (dash < 1 || dash > MAX_ID_CHARS || token.length() != dash + 1 + MAC_BYTES * 2) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < token.length(); i++) {
            char c = Character.toLowerCase(token.charAt(i));
            boolean allowed = i < dash ? (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
                    : i == dash || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            if (!allowed) {
                return OptionalLong.empty();
            }
        }
        try {
            long id = Long.parseLong(token.substring(0, dash), 36);
            return id > 0 ? OptionalLong.of(id) : OptionalLong.empty();
        } catch (NumberFormatException tooLarge) {
            return OptionalLong.empty();
        }
    }

    private String mac(long messageId, String recipient) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] digest = mac.doFinal((messageId + "|" + recipient.toLowerCase(Locale.ROOT))
                    .getBytes(StandardCharsets.UTF_8));
            return HEX.formatHex(digest, 0, MAC_BYTES);
        } catch (GeneralSecurityException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
