package io.mailtree.delivery;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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

    static byte[] encode(String text) {
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        Out out = new Out(in.length + in.length / 8 + 16);
        int column = 0;
        for (int i = 0; i < in.length; i++) {
            int b = in[i] & 0xff;
            if (b == '\r' || b == '\n') {
                if (b == '\r' && i + 1 < in.length && in[i + 1] == '\n') {
                    i++;
                }
                out.crlf();
                column = 0;
                continue;
            }
            boolean lineEnds = i + 1 == in.length || in[i + 1] == '\r' || in[i + 1] == '\n';
            boolean literal = (b >= 33 && b <= 126 && b != '=') || ((b == ' ' || b == '\t') && !lineEnds);
            int width = literal ? 1 : 3;
            // Room for this character plus a soft break "=" unless the line ends right after it.
            if (column + width > (lineEnds ? MAX_LINE : MAX_LINE - 1)) {
                out.put('=');
                out.crlf();
                column = 0;
            }
            if (literal) {
                out.put(b);
            } else {
                out.put('=');
                out.put(HEX[b >> 4]);
                out.put(HEX[b & 0x0f]);
            }
            column += width;
        }
        return out.bytes();
    }

    private static final class Out {
        private byte[] buffer;
        private int size;

        Out(int capacity) {
            buffer = new byte[capacity];
        }

        void put(int b) {
            if (size == buffer.length) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            }
            buffer[size++] = (byte) b;
        }

        void crlf() {
            put('\r');
            put('\n');
        }

        byte[] bytes() {
            return Arrays.copyOf(buffer, size);
        }
    }
}
