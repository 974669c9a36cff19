package io.mailtree.content;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where file contents live (images, attachments), behind keys the callers never interpret. The
 * filesystem implementation is the default; an S3-compatible store can implement the same four
 * operations without touching the callers.
 */
public interface BlobStore {

    /** Stores the stream under a new key and answers the key and the number of bytes written. */
    Stored put(String prefix, InputStream content, long maxBytes) throws IOException;

    InputStream open(String key) throws IOException;

    byte[] read(String key) throws IOException;

    void delete(String key) throws IOException;

    /** A stored blob: its key and size. */
    record Stored(String key, long size) {
    }

    /** Thrown when a stream is longer than the maximum it was stored with. */
    class TooLarge extends IOException {
        public TooLarge(long max) {
            super("larger than " + max + " bytes");
        }
    }
}
