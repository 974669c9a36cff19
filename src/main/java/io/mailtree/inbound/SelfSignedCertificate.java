package io.mailtree.inbound;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A self-signed RSA-2048 / SHA-256 server certificate, so that STARTTLS works on a fresh install
 * without an operator-supplied keystore. The JDK generates keys and signs but has no public API to
 * build a certificate (keytool's classes are internal, and BouncyCastle would be a dependency for
 * one call), so the few DER structures of RFC 5280 are written here; the JDK's own parser then
 * reads the result back, which catches any encoding mistake at once.
 */
final class SelfSignedCertificate {

    private static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String EXTENDED_KEY_USAGE = "2.5.29.37";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final Pattern IPV4 = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private SelfSignedCertificate() {
    }

    /** A key pair and its certificate. */
    record Generated(KeyPair keys, X509Certificate certificate) {
    }

    /**
     * A certificate for {@code host} (its common name and subject alternative name; "localhost"
     * also names the loopback addresses, so clients that connect to 127.0.0.1 can check it),
     * valid from a day before {@code now} (clients' clocks drift) for {@code validity}.
     */
    static Generated generate(String host, Instant now, Duration validity) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, new SecureRandom());
        KeyPair keys = generator.generateKeyPair();
        byte[] algorithm = sequence(oid(SHA256_WITH_RSA), new byte[] {0x05, 0x00});
        byte[] name = sequence(set(sequence(oid(COMMON_NAME),
                tlv(0x0C, (host.length() > 64 ? host.substring(0, 64) : host).getBytes(StandardCharsets.UTF_8)))));
        byte[] serial = new byte[16];
        new SecureRandom().nextBytes(serial);
        serial[0] &= 0x7F; // a positive serial number, as RFC 5280 asks
        serial[0] |= 0x01;
        byte[] tbs = sequence(
                tlv(0xA0, integer(BigInteger.TWO)), // version 3
                integer(new BigInteger(serial)),
                algorithm,
                name,
                sequence(time(now.minus(Duration.ofDays(1))), time(now.plus(validity))),
                name,
                keys.getPublic().getEncoded(),
                tlv(0xA3, sequence(
                        extension(KEY_USAGE, true, new byte[] {0x03, 0x02, 0x05, (byte) 0xA0}), // digitalSignature, keyEncipherment
                        extension(EXTENDED_KEY_USAGE, false, sequence(oid(SERVER_AUTH))),
                        extension(SUBJECT_ALT_NAME, false, alternativeNames(host)))));
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(keys.getPrivate());
        signer.update(tbs);
        byte[] signature = signer.sign();
        byte[] signatureBits = new byte[signature.length + 1]; // no unused bits
        System.arraycopy(signature, 0, signatureBits, 1, signature.length);
        byte[] der = sequence(tbs, algorithm, tlv(0x03, signatureBits));
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        certificate.verify(keys.getPublic());
        return new Generated(keys, certificate);
    }

    private static byte[] alternativeNames(String host) {
        List<byte[]> names = new ArrayList<>();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        byte[] literal = ipLiteral(bare);
        if (literal != null) {
            names.add(tlv(0x87, literal));
        } else {
            names.add(tlv(0x82, bare.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII)));
        }
        if (bare.equalsIgnoreCase("localhost")) {
            names.add(tlv(0x87, new byte[] {127, 0, 0, 1}));
            byte[] loopback6 = new byte[16];
            loopback6[15] = 1;
            names.add(tlv(0x87, loopback6));
        }
        return sequence(names.toArray(byte[][]::new));
    }

    /** The address bytes of an IP literal, or null for a host name (never looked up in the DNS). */
    private static byte[] ipLiteral(String host) {
        if (IPV4.matcher(host).matches()) {
            String[] parts = host.split("\\.");
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int part = Integer.parseInt(parts[i]);
                if (part > 255) {
                    return null;
                }
                bytes[i] = (byte) part;
            }
            return bytes;
        }
        if (!host.contains(":")) {
            return null;
        }
        try {
            return InetAddress.getByName(host).getAddress(); // an IPv6 literal: parsed, never resolved
        } catch (UnknownHostException malformed) {
            return null;
        }
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical ? sequence(oid(oid), new byte[] {0x01, 0x01, (byte) 0xFF}, tlv(0x04, value))
                : sequence(oid(oid), tlv(0x04, value));
    }

    /** UTCTime until 2049, GeneralizedTime from 2050 on, as RFC 5280 section 4.1.2.5 requires. */
    private static byte[] time(Instant instant) {
        int year = instant.atZone(ZoneOffset.UTC).getYear();
        return year < 2050 ? tlv(0x17, UTC_TIME.format(instant).getBytes(StandardCharsets.US_ASCII))
                : tlv(0x18, GENERALIZED_TIME.format(instant).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] integer(BigInteger value) {
        return tlv(0x02, value.toByteArray());
    }

    private static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            long arc = Long.parseLong(arcs[i]);
            int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(arc) + 6) / 7);
            for (int g = groups - 1; g >= 0; g--) {
                out.write((int) ((arc >>> (7 * g)) & 0x7F) | (g > 0 ? 0x80 : 0));
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] sequence(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    private static byte[] set(byte[]... parts) {
        return tlv(0x31, concat(parts));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A DER tag-length-value; lengths of 128 and more take the long form. */
    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }
}
