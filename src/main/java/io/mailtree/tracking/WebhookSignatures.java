package io.mailtree.tracking;

import io.mailtree.shared.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks scheme (standardwebhooks.com): a secret {@code whsec_} + base64 of random
 * bytes; a signature {@code v1,} + base64 of HMAC-SHA256, keyed with the decoded secret, over
 * {@code <webhook-id>.<webhook-timestamp>.<body>}.
 */
public final class WebhookSignatures {

    public static final String SECRET_PREFIX = "whsec_";
    /** 32 random bytes: the spec asks for between 24 and 64. */
    static final int SECRET_BYTES = 32;

    private WebhookSignatures() {
    }

    static String newSecret() {
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(Secrets.randomBytes(SECRET_BYTES));
    }

    /** {@code v1,<base64 signature>} of one message. */
    public static String sign(String secret, String webhookId, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
            mac.update((webhookId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static byte[] key(String secret) {
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        return Base64.getDecoder().decode(encoded);
    }
}
