package io.mailtree.content;

import java.util.Locale;
import java.util.Optional;

/**
 * Recognises file types from their first bytes, never from their names: an SVG or HTML file
 * called {@code .png} is not an image, and a text file called {@code .pdf} is not a PDF.
 */
public final class FileTypes {

    private FileTypes() {
    }

    /** The image type of these bytes (PNG, JPEG, GIF or WebP), or empty. */
    public static Optional<String> imageType(byte[] head) {
        if (starts(head, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of("image/png");
        }
        if (starts(head, 0xFF, 0xD8, 0xFF)) {
            return Optional.of("image/jpeg");
        }
        if (starts(head, 'G', 'I', 'F', '8') && head.length > 5 && (head[4] == '7' || head[4] == '9') && head[5] == 'a') {
            return Optional.of("image/gif");
        }
        if (starts(head, 'R', 'I', 'F', 'F') && head.length >= 12 && head[8] == 'W' && head[9] == 'E' && head[10] == 'B'
                && head[11] == 'P') {
            return Optional.of("image/webp");
        }
        return Optional.empty();
    }

    /**
     * The attachment type of these bytes, given the name's extension for the ZIP-based and OLE
     * office formats (which the bytes alone cannot tell apart), or empty when the bytes do not
     * match what the name claims.
     */
    public static Optional<String> attachmentType(byte[] head, String fileName) {
        String extension = extension(fileName);
        if (starts(head, '%', 'P', 'D', 'F', '-')) {
            return extension.equals("pdf") ? Optional.of("application/pdf") : Optional.empty();
        }
        if (starts(head, 'P', 'K', 0x03, 0x04)) {
            return switch (extension) {
                case "docx" -> Optional.of("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
                case "xlsx" -> Optional.of("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
                case "pptx" -> Optional.of("application/vnd.openxmlformats-officedocument.presentationml.presentation");
                case "odt" -> Optional.of("application/vnd.oasis.opendocument.text");
                case "ods" -> Optional.of("application/vnd.oasis.opendocument.spreadsheet");
                default -> Optional.empty();
            };
        }
        if (starts(head, 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1)) {
            return switch (extension) {
                case "doc" -> Optional.of("application/msword");
                case "xls" -> Optional.of("application/vnd.ms-excel");
                case "ppt" -> Optional.of("application/vnd.ms-powerpoint");
                default -> Optional.empty();
            };
        }
        Optional<String> image = imageType(head);
        if (image.isPresent()) {
            return image;
        }
        return Optional.empty();
    }

    /** A file name safe to store and show: no path, no control characters, at most 200 characters. */
    public static String safeName(String fileName, String fallback) {
        String name = fileName == null ? "" : fileName.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1).replaceAll("[\\p{Cntrl}\"<>|:*?]", "_").strip();
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            name = fallback;
        }
        return name.length() > 200 ? name.substring(name.length() - 200) : name;
    }

    private static String extension(String fileName) {
        String name = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1);
    }

    private static boolean starts(byte[] head, int... expected) {
        if (head.length < expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if ((head[i] & 0xFF) != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
