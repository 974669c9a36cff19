package io.mailtree.delivery;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte buffer without locks, for the hot paths that write a message a byte at a time
 * (quoted-printable encoding, the DKIM library's output): {@code ByteArrayOutputStream} takes a
 * monitor for every byte.
 */
final class UnsyncBytes extends OutputStream {

    private byte[] bytes;
    private int size;

    UnsyncBytes(int capacity) {
        bytes = new byte[Math.max(64, capacity)];
    }

    @Override
    public void write(int b) {
        if (size == bytes.length) {
            bytes = Arrays.copyOf(bytes, bytes.length * 2);
        }
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (size + len > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + len));
        }
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }
}
