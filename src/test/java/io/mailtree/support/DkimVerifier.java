package io.mailtree.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks the first DKIM-Signature of a message against a public key, as a receiving server would
 * (RFC 6376, rsa-sha256, simple and relaxed canonicalisation), so tests can prove that what we send
 * verifies with the key we publish without a DNS lookup. The l= tag is not honoured: the whole body
 * is hashed.
 */
public final class DkimVerifier {

    private static final Pattern WHITESPACE = Pattern.compile("[ \t]+");
    private static final Pattern FOLDING_WHITESPACE = Pattern.compile("[ \t\r\n]+");
    private static final Pattern SIGNATURE_VALUE = Pattern.compile("((?:^|;)[ \t\r\n]*b[ \t\r\n]*=)[^;]*");

    private DkimVerifier() {
    }

    /**
     * The outcome, with what the signature claims even when it does not verify.
     *
     * @param signedHeaders the h= names in lower case, in signing order
     * @param reason why the signature does not verify; null when it does
     */
    public record Result(boolean valid, List<String> signedHeaders, String domain, String selector, String reason) {
    }

    /** Verifies the message's first rsa-sha256 DKIM-Signature with {@code key}, the key published for its d= and s=. */
    public static Result verify(byte[] rawMessage, PublicKey key) {
        return verify(rawMessage, key, "rsa-sha256");
    }

    /**
     * Verifies the message's first DKIM-Signature with this a= ({@code rsa-sha256} or
     * {@code ed25519-sha256}, RFC 8463: Ed25519 over the SHA-256 of the header hash input).
     */
    public static Result verify(byte[] rawMessage, PublicKey key, String algorithm) {
        // ISO-8859-1 maps every byte to one char, so canonicalised text turns back into the same bytes.
        String message = new String(crlf(rawMessage), StandardCharsets.ISO_8859_1);
        int split = message.indexOf("\r\n\r\n");
        String headerSection = split < 0 ? message + "\r\n" : message.substring(0, split + 2);
        String body = split < 0 ? "" : message.substring(split + 4);
        List<String> fields = fields(headerSection);
        String signatureField = fields.stream().filter(field -> name(field).equalsIgnoreCase("DKIM-Signature"))
                .filter(field -> algorithm.equalsIgnoreCase(tags(field.substring(field.indexOf(':') + 1)).get("a")))
                .findFirst().orElse(null);
        if (signatureField == null) {
            return new Result(false, List.of(), null, null, "no DKIM-Signature header with a=" + algorithm);
        }
        Map<String, String> tags = tags(signatureField.substring(signatureField.indexOf(':') + 1));
        List<String> signedHeaders = tags.containsKey("h") ? Arrays.stream(tags.get("h").split(":"))
                .map(name -> name.strip().toLowerCase(Locale.ROOT)).toList() : List.of();
        String domain = tags.get("d");
        String selector = tags.get("s");
        String problem = unsupported(tags, signedHeaders);
        if (problem != null) {
            return new Result(false, signedHeaders, domain, selector, problem);
        }
        String[] canonicalisation = tags.getOrDefault("c", "simple/simple").toLowerCase(Locale.ROOT).split("/", 2);
        boolean relaxedHeaders = canonicalisation[0].equals("relaxed");
        boolean relaxedBody = canonicalisation.length > 1 && canonicalisation[1].equals("relaxed");
        try {
            byte[] bodyHash = MessageDigest.getInstance("SHA-256")
                    .digest(canonicalBody(body, relaxedBody).getBytes(StandardCharsets.ISO_8859_1));
            if (!MessageDigest.isEqual(bodyHash, Base64.getDecoder().decode(tags.getOrDefault("bh", "")))) {
                return new Result(false, signedHeaders, domain, selector, "the body hash does not match");
            }
            byte[] data = signedData(fields, signedHeaders, signatureField, relaxedHeaders)
                    .getBytes(StandardCharsets.ISO_8859_1);
            Signature verifier;
            if (algorithm.equalsIgnoreCase("ed25519-sha256")) {
                verifier = Signature.getInstance("Ed25519");
                data = MessageDigest.getInstance("SHA-256").digest(data);
            } else {
                verifier = Signature.getInstance("SHA256withRSA");
            }
            verifier.initVerify(key);
            verifier.update(data);
            if (!verifier.verify(Base64.getDecoder().decode(tags.getOrDefault("b", "")))) {
                return new Result(false, signedHeaders, domain, selector, "the signature does not match the headers");
            }
        } catch (GeneralSecurityException | IllegalArgumentException unusable) {
            return new Result(false, signedHeaders, domain, selector, "unusable signature or key: " + unusable);
        }
        return new Result(true, signedHeaders, domain, selector, null);
    }

    private static String unsupported(Map<String, String> tags, List<String> signedHeaders) {
        if (!"1".equals(tags.get("v"))) {
            return "v= is not 1";
        }
        if (!"rsa-sha256".equalsIgnoreCase(tags.get("a")) && !"ed25519-sha256".equalsIgnoreCase(tags.get("a"))) {
            return "a= is neither rsa-sha256 nor ed25519-sha256 but " + tags.get("a");
        }
        if (!signedHeaders.contains("from")) {
            return "h= does not cover From";
        }
        for (String part : tags.getOrDefault("c", "simple/simple").toLowerCase(Locale.ROOT).split("/")) {
            if (!part.equals("simple") && !part.equals("relaxed")) {
                return "unknown canonicalisation " + tags.get("c");
            }
        }
        return null;
    }

    /**
     * The header hash input (RFC 6376 §3.7): each h= header, taking repeated names from the bottom
     * up, then the signature header itself with an empty b= and no final CRLF.
     */
    private static String signedData(List<String> fields, List<String> signedHeaders, String signatureField,
            boolean relaxed) {
        Map<String, Integer> taken = new HashMap<>();
        StringBuilder data = new StringBuilder();
        for (String name : signedHeaders) {
            int skip = taken.merge(name, 1, Integer::sum) - 1;
            String field = null;
            for (int i = fields.size() - 1; i >= 0 && field == null; i--) {
                if (name(fields.get(i)).equalsIgnoreCase(name) && skip-- == 0) {
                    field = fields.get(i);
                }
            }
            if (field != null) {
                data.append(canonicalHeader(field, relaxed)).append("\r\n");
            }
        }
        int colon = signatureField.indexOf(':');
        String withoutSignature = signatureField.substring(0, colon + 1)
                + SIGNATURE_VALUE.matcher(signatureField.substring(colon + 1)).replaceFirst("$1");
        return data.append(canonicalHeader(withoutSignature, relaxed)).toString();
    }

    private static String canonicalHeader(String field, boolean relaxed) {
        if (!relaxed) {
            return field;
        }
        int colon = field.indexOf(':');
        String value = FOLDING_WHITESPACE.matcher(field.substring(colon + 1).replace("\r\n", "")).replaceAll(" ");
        return field.substring(0, colon).strip().toLowerCase(Locale.ROOT) + ":" + value.strip();
    }

    private static String canonicalBody(String body, boolean relaxed) {
        List<String> lines = new ArrayList<>(Arrays.asList(body.split("\r\n", -1)));
        if (relaxed) {
            lines.replaceAll(line -> WHITESPACE.matcher(line).replaceAll(" ").stripTrailing());
        }
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        if (lines.isEmpty()) {
            return relaxed ? "" : "\r\n";
        }
        return String.join("\r\n", lines) + "\r\n";
    }

    /** The header fields as written, continuation lines included, each without its final CRLF. */
    private static List<String> fields(String headerSection) {
        List<String> fields = new ArrayList<>();
        for (String line : headerSection.split("\r\n")) {
            if ((line.startsWith(" ") || line.startsWith("\t")) && !fields.isEmpty()) {
                fields.set(fields.size() - 1, fields.get(fields.size() - 1) + "\r\n" + line);
            } else if (line.indexOf(':') > 0) {
                fields.add(line);
            }
        }
        return fields;
    }

    private static String name(String field) {
        return field.substring(0, field.indexOf(':')).strip();
    }

    /** The tag=value list, whitespace removed from the base64 values b= and bh=. */
    private static Map<String, String> tags(String list) {
        Map<String, String> tags = new HashMap<>();
        for (String tag : list.split(";")) {
            int equals = tag.indexOf('=');
            if (equals > 0) {
                String name = tag.substring(0, equals).strip();
                String value = tag.substring(equals + 1).strip();
                tags.putIfAbsent(name, name.equals("b") || name.equals("bh")
                        ? FOLDING_WHITESPACE.matcher(value).replaceAll("") : value);
            }
        }
        return tags;
    }

    /** Line ends as sent over SMTP: every bare LF (and bare CR) becomes CRLF. */
    private static byte[] crlf(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + raw.length / 40);
        for (int i = 0; i < raw.length; i++) {
            byte b = raw[i];
            if (b == '\r') {
                out.write('\r');
                out.write('\n');
                if (i + 1 < raw.length && raw[i + 1] == '\n') {
                    i++;
                }
            } else if (b == '\n') {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }
}
