package io.mailtree.delivery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The optional second DKIM signature, ed25519-sha256 (RFC 8463), added on top of a message the DKIM
 * library has signed with RSA. It is written here rather than by the library because the library
 * signs the header data itself with Ed25519, where RFC 8463 signs its SHA-256 hash, so receivers
 * would reject it (ADR 0008). It reuses the RSA signature's header list (h=), canonicalisation (c=)
 * and body hash (bh=), which describe the same headers and body, and canonicalises the headers
 * "relaxed" (RFC 6376 §3.4.2) as the RSA signature does.
 */
final class Ed25519Signature {

    private Ed25519Signature() {
    }

    /** The message with an ed25519-sha256 DKIM-Signature prepended; unchanged when it has no RSA signature. */
    static byte[] addTo(byte[] signed, String domain, String selector, PrivateKey key, Instant now)
            throws GeneralSecurityException {
        String message = new String(signed, StandardCharsets.ISO_8859_1);
        int end = message.indexOf("\r\n\r\n");
        if (end < 0) {
            return signed;
        }
        List<String> fields = fields(message.substring(0, end + 2));
        Map<String, String> rsa = fields.stream().filter(f -> name(f).equalsIgnoreCase("DKIM-Signature"))
                .map(f -> tags(f.substring(f.indexOf(':') + 1))).findFirst().orElse(null);
        if (rsa == null || rsa.get("h") == null || rsa.get("bh") == null) {
            return signed;
        }
        String header = "DKIM-Signature: v=1; a=ed25519-sha256; c=" + rsa.getOrDefault("c", "relaxed/simple")
                + "; d=" + domain + "; s=" + selector + ";\r\n\tt=" + now.getEpochSecond() + "; bh=" + rsa.get("bh")
                + ";\r\n\th=" + rsa.get("h") + ";\r\n\tb=";
        StringBuilder data = new StringBuilder();
        Map<String, Integer> used = new HashMap<>();
        for (String name : rsa.get("h").split(":")) {
            String wanted = name.strip().toLowerCase(Locale.ROOT);
            // A name listed n times signs its last n instances, from the bottom up (RFC 6376 §5.4.2).
            int skip = used.merge(wanted, 1, Integer::sum) - 1;
            for (int i = fields.size() - 1, seen = 0; i >= 0; i--) {
                if (name(fields.get(i)).equalsIgnoreCase(wanted) && seen++ == skip) {
                    data.append(relaxed(fields.get(i))).append("\r\n");
                    break;
                }
            }
        }
        data.append(relaxed(header));
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(data.toString().getBytes(StandardCharsets.ISO_8859_1));
        Signature ed25519 = Signature.getInstance("Ed25519");
        ed25519.initSign(key);
        ed25519.update(hash);
        String value = Base64.getEncoder().encodeToString(ed25519.sign());
        StringBuilder folded = new StringBuilder(header);
        for (int i = 0; i < value.length(); i += 64) {
            folded.append(i == 0 ? "" : "\r\n\t ").append(value, i, Math.min(value.length(), i + 64));
        }
        folded.append("\r\n");
        byte[] prefix = folded.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[prefix.length + signed.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(signed, 0, out, prefix.length, signed.length);
        return out;
    }

    /** Header fields with their continuation lines, each without its final CRLF. */
    private static List<String> fields(String headerSection) {
        List<String> fields = new ArrayList<>();
        for (String line : headerSection.split("\r\n")) {
            if (!fields.isEmpty() && (line.startsWith(" ") || line.startsWith("\t"))) {
                fields.set(fields.size() - 1, fields.get(fields.size() - 1) + "\r\n" + line);
            } else if (!line.isEmpty()) {
                fields.add(line);
            }
        }
        return fields;
    }

    private static String name(String field) {
        int colon = field.indexOf(':');
        return colon < 0 ? field.strip() : field.substring(0, colon).strip();
    }

    /** Relaxed header canonicalisation: lower-case name, unfolded, runs of whitespace as one space, trimmed. */
    private static String relaxed(String field) {
        int colon = field.indexOf(':');
        String value = field.substring(colon + 1).replace("\r\n", "").replaceAll("[ \t]+", " ").strip();
        return name(field).toLowerCase(Locale.ROOT) + ":" + value;
    }

    private static Map<String, String> tags(String list) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String tag : list.split(";")) {
            int equals = tag.indexOf('=');
            if (equals > 0) {
                tags.put(tag.substring(0, equals).strip(), tag.substring(equals + 1).replaceAll("[ \t\r\n]+", ""));
            }
        }
        return tags;
    }
}
