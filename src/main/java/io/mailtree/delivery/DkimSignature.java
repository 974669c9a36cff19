package io.mailtree.delivery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * DKIM signatures (RFC 6376) written straight over a message's bytes: rsa-sha256, and optionally a
 * second ed25519-sha256 signature (RFC 8463) over the same headers and body hash. The message is never
 * parsed into a MIME tree nor written out again: the body is hashed in place (simple canonicalisation
 * is the bytes themselves, up to the trailing empty lines) and only the few header fields that are
 * signed are turned into text. Parsing and re-serialising every message in the mail library, and its
 * body canonicalisation, cost about a quarter of a delivery's CPU beside the RSA operation itself
 * (ADR 0018).
 *
 * <p>Headers are canonicalised "relaxed"; the body "simple" or "relaxed" as asked. The header list is
 * every present field of {@link #SIGNED}, each instance; From is signed once more than it occurs, so
 * a From added on the way breaks the signature instead of being shown to the reader (RFC 6376 §8.15).
 * A message with bare LF line ends is brought to CRLF first, as it would be on the wire.
 */
final class DkimSignature {

    /** The fields signed when present, in the order they are listed in h=. */
    static final List<String> SIGNED = List.of("From", "Sender", "Reply-To", "Subject", "Date", "Message-ID", "To",
            "Cc", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Content-ID", "Content-Description",
            "In-Reply-To", "References", "Resent-Date", "Resent-From", "Resent-Sender", "Resent-To", "Resent-Cc",
            "Resent-Message-ID", "List-Id", "List-Help", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Subscribe",
            "List-Post", "List-Owner", "List-Archive", "Feedback-ID");

    private static final byte[] CRLF = {'\r', '\n'};
    private static final ThreadLocal<Signature> RSA = ThreadLocal.withInitial(() -> instance("SHA256withRSA"));
    private static final ThreadLocal<Signature> ED25519 = ThreadLocal.withInitial(() -> instance("Ed25519"));
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(DkimSignature::sha256);

    private DkimSignature() {
    }

    /** A domain's signing keys: RSA always, Ed25519 when the domain turned it on (else null). */
    record Keys(String domain, String rsaSelector, PrivateKey rsa, String ed25519Selector, PrivateKey ed25519) {
    }

    /**
     * The message with its DKIM-Signature fields prepended: the Ed25519 one on top when there is one,
     * so it does not cover the RSA signature and each verifies on its own.
     */
    static byte[] sign(byte[] message, Keys keys, boolean relaxedBody, Instant now) throws GeneralSecurityException {
        byte[] mime = crlf(message);
        int bodyStart = bodyStart(mime);
        int headerEnd = bodyStart < 0 ? mime.length : bodyStart - 2;
        List<String> fields = fields(mime, headerEnd);
        String bodyHash = Base64.getEncoder().encodeToString(bodyHash(mime, bodyStart, relaxedBody));

        StringBuilder names = new StringBuilder();
        StringBuilder data = new StringBuilder(1024);
        for (String wanted : SIGNED) {
            // Bottom-up: a name listed n times signs its last n instances (RFC 6376 §5.4.2).
            int count = 0;
            for (int i = fields.size() - 1; i >= 0; i--) {
                if (name(fields.get(i)).equalsIgnoreCase(wanted)) {
                    data.append(relaxed(fields.get(i))).append("\r\n");
                    names.append(names.isEmpty() ? "" : ":").append(wanted);
                    count++;
                }
            }
            if (wanted.equals("From") && count > 0) {
                names.append(":From");
            }
        }
        String canonical = relaxedBody ? "relaxed/relaxed" : "relaxed/simple";
        String tail = "; t=" + now.getEpochSecond() + ";\r\n\th=" + fold(names.toString()) + ";\r\n\tbh=" + bodyHash
                + ";\r\n\tb=";
        String rsaHeader = "DKIM-Signature: v=1; a=rsa-sha256; c=" + canonical + "; d=" + keys.domain() + "; s="
                + keys.rsaSelector() + tail;
        Signature rsa = RSA.get();
        rsa.initSign(keys.rsa());
        rsa.update(latin1(data + relaxed(rsaHeader)));
        StringBuilder prefix = new StringBuilder(1024);
        if (keys.ed25519() != null) {
            String edHeader = "DKIM-Signature: v=1; a=ed25519-sha256; c=" + canonical + "; d=" + keys.domain() + "; s="
                    + keys.ed25519Selector() + tail;
            // RFC 8463 signs the SHA-256 of the header hash input, not the input itself.
            byte[] hash = SHA256.get().digest(latin1(data + relaxed(edHeader)));
            Signature ed25519 = ED25519.get();
            ed25519.initSign(keys.ed25519());
            ed25519.update(hash);
            appendSigned(prefix, edHeader, ed25519.sign());
        }
        appendSigned(prefix, rsaHeader, rsa.sign());
        byte[] head = latin1(prefix.toString());
        byte[] out = new byte[head.length + mime.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(mime, 0, out, head.length, mime.length);
        return out;
    }

    private static void appendSigned(StringBuilder prefix, String header, byte[] signature) {
        String value = Base64.getEncoder().encodeToString(signature);
        prefix.append(header);
        for (int i = 0; i < value.length(); i += 64) {
            prefix.append(i == 0 ? "" : "\r\n\t ").append(value, i, Math.min(value.length(), i + 64));
        }
        prefix.append("\r\n");
    }

    /** The h= list, folded before a name that would take its line past 70 characters. */
    private static String fold(String names) {
        StringBuilder folded = new StringBuilder(names.length() + 16);
        int column = 0;
        for (String name : names.split(":")) {
            if (!folded.isEmpty()) {
                folded.append(':');
                if (column + name.length() > 70) {
                    folded.append("\r\n\t");
                    column = 0;
                }
            }
            folded.append(name);
            column += name.length() + 1;
        }
        return folded.toString();
    }

    /**
     * The body hash. Simple: the body bytes with trailing empty lines reduced to one CRLF (an empty
     * body is one CRLF). Relaxed: each line with its runs of spaces and tabs made one space and its
     * trailing whitespace removed, trailing empty lines dropped (an empty body is empty).
     */
    static byte[] bodyHash(byte[] mime, int bodyStart, boolean relaxed) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        int start = bodyStart < 0 ? mime.length : bodyStart;
        if (!relaxed) {
            int end = mime.length;
            while (end - start >= 2 && mime[end - 2] == '\r' && mime[end - 1] == '\n') {
                end -= 2;
            }
            digest.update(mime, start, end - start);
            digest.update(CRLF);
            return digest.digest();
        }
        byte[] line = new byte[256];
        int emptyLines = 0;
        int i = start;
        while (i < mime.length) {
            int lineEnd = i;
            while (lineEnd < mime.length && !(mime[lineEnd] == '\r' && lineEnd + 1 < mime.length
                    && mime[lineEnd + 1] == '\n')) {
                lineEnd++;
            }
            if (lineEnd - i + 1 > line.length) {
                line = new byte[Math.max(line.length * 2, lineEnd - i + 1)];
            }
            int length = 0;
            boolean space = false;
            for (int j = i; j < lineEnd; j++) {
                byte b = mime[j];
                if (b == ' ' || b == '\t') {
                    space = true;
                } else {
                    if (space) {
                        line[length++] = ' ';
                        space = false;
                    }
                    line[length++] = b;
                }
            }
            if (length == 0) {
                emptyLines++;
            } else {
                for (; emptyLines > 0; emptyLines--) {
                    digest.update(CRLF);
                }
                digest.update(line, 0, length);
                digest.update(CRLF);
            }
            i = lineEnd + 2;
        }
        return digest.digest();
    }

    /** Where the body begins (after the first CRLF CRLF), or -1 for a message of headers only. */
    static int bodyStart(byte[] mime) {
        for (int i = 0; i + 3 < mime.length; i++) {
            if (mime[i] == '\r' && mime[i + 1] == '\n' && mime[i + 2] == '\r' && mime[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    /** The message with every bare LF (and bare CR) made CRLF; the same array when it has none. */
    static byte[] crlf(byte[] message) {
        int extra = 0;
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (b == '\n' && (i == 0 || message[i - 1] != '\r')) {
                extra++;
            } else if (b == '\r' && (i + 1 == message.length || message[i + 1] != '\n')) {
                extra++;
            }
        }
        if (extra == 0) {
            return message;
        }
        byte[] out = new byte[message.length + extra];
        int o = 0;
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (b == '\n' && (i == 0 || message[i - 1] != '\r')) {
                out[o++] = '\r';
                out[o++] = '\n';
            } else if (b == '\r' && (i + 1 == message.length || message[i + 1] != '\n')) {
                out[o++] = '\r';
                out[o++] = '\n';
            } else {
                out[o++] = b;
            }
        }
        return out;
    }

    /** The header fields up to {@code end}, continuation lines included, each without its final CRLF. */
    private static List<String> fields(byte[] mime, int end) {
        List<String> fields = new ArrayList<>(24);
        int lineStart = 0;
        for (int i = 0; i <= end; i++) {
            if (i == end || (mime[i] == '\r' && i + 1 < mime.length && mime[i + 1] == '\n')) {
                if (i > lineStart) {
                    String line = new String(mime, lineStart, i - lineStart, StandardCharsets.ISO_8859_1);
                    if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !fields.isEmpty()) {
                        fields.set(fields.size() - 1, fields.get(fields.size() - 1) + "\r\n" + line);
                    } else if (line.indexOf(':') > 0) {
                        fields.add(line);
                    }
                }
                lineStart = i + 2;
                i++;
            }
        }
        return fields;
    }

    private static String name(String field) {
        return field.substring(0, field.indexOf(':')).strip();
    }

    /** Relaxed header canonicalisation: lower-case name, unfolded, runs of whitespace as one space, trimmed. */
    static String relaxed(String field) {
        int colon = field.indexOf(':');
        StringBuilder out = new StringBuilder(field.length());
        out.append(field.substring(0, colon).strip().toLowerCase(Locale.ROOT)).append(':');
        int valueStart = out.length();
        boolean space = false;
        for (int i = colon + 1; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                space = true;
            } else {
                if (space && out.length() > valueStart) {
                    out.append(' ');
                }
                space = false;
                out.append(c);
            }
        }
        return out.toString();
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Signature instance(String algorithm) {
        try {
            return Signature.getInstance(algorithm);
        } catch (GeneralSecurityException missing) {
            throw new IllegalStateException(algorithm + " is not available in this JDK", missing);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException missing) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", missing);
        }
    }
}
