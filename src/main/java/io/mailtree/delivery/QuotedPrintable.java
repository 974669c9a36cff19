package io.mailtree.delivery;

import java.nio.charset.StandardCharsets;

/**
 * Quoted-printable (RFC 2045 §6.7) for the text and HTML parts Mailtree composes, written straight
 * into bytes. The mail library's own path encodes through a writer, a character and a lock at a
 * time, and scans each part once more to choose its encoding; for a 10 KB message that was half the
 * CPU of accepting it. Lines end in CRLF whatever the input used; lines stay within 76 characters
 * with soft breaks; a space or tab before a line end is encoded so that no relay can strip it.
 */
final class QuotedPrintable {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_LINE = 76;

    private QuotedPrintable() {
    }

    private static void crlf(UnsyncBytes out) {
        out.write('\r');
        out.write('\n');
    }

    static byte[] encode(String text) {
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        UnsyncBytes out = new UnsyncBytes(in.length + in.length / 8 + 16);
        int column = 0;
        for (int i = 0; i < in.length; i++) {
            int b = in[i] & 0xff;
            if (b == '\r' || b == '\n') {
                if (b == '\r' && i + 1 < in.length && in[i + 1] == '\n') {
                    i++;
                }
                crlf(out);
                column = 0;
                continue;
            }
            boolean lineEnds = i + 1 == in.length || in[i + 1] == '\r' || in[i + 1] == '\n';
            boolean literal = (b >= 33 && b <= 126 && b != '=') || ((b == ' ' || b == '\t') && !lineEnds);
            int width = literal ? 1 : 3;
            // Room for this character plus a soft break "=" unless the line ends right after it.
            if (column + width > (lineEnds ? MAX_LINE : MAX_LINE - 1)) {
                out.write('=');
                crlf(out);
                column = 0;
            }
            if (literal) {
                out.write(b);
            } else {
                out.write('=');
                out.write(HEX[b >> 4]);
                out.write(HEX[b & 0x0f]);
            }
            column += width;
        }
        return out.toByteArray();
    }
}
