package io.mailtree.contacts;

import io.mailtree.shared.DomainProblem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells a text file from a document, an image or an archive by its first bytes, never by its name:
 * a PDF or a PNG renamed {@code .csv} is refused at upload, before anything reads it as CSV.
 */
public final class UploadedFileType {

    /** How much of the file is read: enough for every signature and a fair sample of text. */
    static final int HEAD_BYTES = 8192;

    private UploadedFileType() {
    }

    /**
     * Refuses {@code file} unless it looks like text.
     *
     * @throws DomainProblem {@code not_a_csv_file} (400) with the recognised type as argument and
     *                       {@code detectedType}, {@code field=file}
     */
    public static void requireText(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEAD_BYTES);
        }
        String detected = binaryType(head);
        if (detected != null) {
            throw DomainProblem.invalid("not_a_csv_file", "the file is " + detected + ", not a CSV text file", detected)
                    .with("detectedType", detected).with("field", "file");
        }
    }

    /** The kind of binary file these bytes start, or null for what may be text. */
    static String binaryType(byte[] head) {
        if (starts(head, '%', 'P', 'D', 'F', '-')) {
            return "PDF";
        }
        if (starts(head, 0x89, 'P', 'N', 'G')) {
            return "PNG";
        }
        if (starts(head, 0xFF, 0xD8, 0xFF)) {
            return "JPEG";
        }
        if (starts(head, 'G', 'I', 'F', '8')) {
            return "GIF";
        }
        if (starts(head, 'P', 'K', 0x03, 0x04)) {
            return "ZIP (XLSX, DOCX)";
        }
        if (starts(head, 0xD0, 0xCF, 0x11, 0xE0)) {
            return "XLS";
        }
        if (starts(head, 0x1F, 0x8B)) {
            return "GZIP";
        }
        // UTF-16 text holds NUL bytes; it announces itself with a byte order mark.
        if (starts(head, 0xFF, 0xFE) || starts(head, 0xFE, 0xFF)) {
            return null;
        }
        for (byte b : head) {
            if (b == 0) {
                return "binary";
            }
        }
        return null;
    }

    private static boolean starts(byte[] head, int... signature) {
        if (head.length < signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if ((head[i] & 0xFF) != signature[i]) {
                return false;
            }
        }
        return true;
    }
}
