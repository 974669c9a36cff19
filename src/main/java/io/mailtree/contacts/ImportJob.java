package io.mailtree.contacts;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A CSV import and its progress. While {@code RUNNING}, {@code phase} says what it is doing and
 * {@link #percent()} how far along it is; a {@code REFUSED} import wrote nothing and says why in
 * {@code code}, the English {@code message} and the refusal's named {@code arguments} (for D-11 the
 * {@code requested} and {@code available} numbers; empty when it has none), from which each page
 * states it in its own language.
 */
public record ImportJob(UUID id, String status, String phase, String fileName, Long listId, long bytesTotal,
        long bytesRead, int rowsTotal, int rowsRead, int rowsImported, int rowsCreated, int rowsUpdated,
        int rowsUnchanged, int rowsInvalid, String code, String message, Map<String, Object> arguments,
        Instant createdAt, Instant finishedAt) {

    public boolean finished() {
        return !"RUNNING".equals(status);
    }

    /** Reading the file is most of the work; checking and writing take the last tenth. */
    public int percent() {
        if (finished()) {
            return 100;
        }
        int reading = bytesTotal == 0 ? 0 : (int) Math.min(90, bytesRead * 90 / bytesTotal);
        return switch (phase) {
            case "CHECKING" -> 92;
            case "WRITING" -> 95;
            default -> reading;
        };
    }
}
