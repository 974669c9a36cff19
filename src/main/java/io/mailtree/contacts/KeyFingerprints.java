package io.mailtree.contacts;

import java.nio.charset.StandardCharsets;

/**
 * Remembers 64-bit fingerprints of the addresses an import has staged, in an open-addressing table
 * of longs (16 bytes an address), to learn whether the file repeats an address. A repeat, a
 * fingerprint collision (about 1 in 10^7 for a million addresses) or a file too large to track all
 * say "may have duplicates", and the import takes the de-duplicating path: a false alarm costs time,
 * never correctness.
 */
final class KeyFingerprints {

    private static final int MAX_TRACKED = 4_000_000;

    private long[] table = new long[1 << 16];
    private int size;
    private boolean duplicates;

    void add(String key) {
        if (duplicates) {
            return;
        }
        if (size >= MAX_TRACKED) {
            duplicates = true;
            table = null;
            return;
        }
        long fingerprint = fingerprint(key);
        if (fingerprint == 0) {
            fingerprint = 1;
        }
        if ((size + 1) * 2L > table.length) {
            grow();
        }
        if (!insert(table, fingerprint)) {
            duplicates = true;
            table = null;
            return;
        }
        size++;
    }

    boolean mayHaveDuplicates() {
        return duplicates;
    }

    private static boolean insert(long[] table, long fingerprint) {
        int mask = table.length - 1;
        for (int i = (int) (fingerprint ^ (fingerprint >>> 32)) & mask; ; i = (i + 1) & mask) {
            if (table[i] == 0) {
                table[i] = fingerprint;
                return true;
            }
            if (table[i] == fingerprint) {
                return false;
            }
        }
    }

    private void grow() {
        long[] bigger = new long[table.length * 2];
        for (long value : table) {
            if (value != 0) {
                insert(bigger, value);
            }
        }
        table = bigger;
    }

    /** FNV-1a over the UTF-8 bytes, then a 64-bit finaliser to spread the bits. */
    static long fingerprint(String key) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        return hash;
    }
}
