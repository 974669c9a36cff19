package io.mailtree.shared;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * This node's stable name, the same before and after a restart: {@code MAILTREE_NODE_ID} when set,
 * otherwise a random id generated on the first start and kept in the file {@code node-id} of the
 * data directory. Work a node leases is marked with it, so that a node restarting after a crash
 * can tell its own leases (held by no running process any more) from those of the other nodes.
 * Two running nodes must not share one: give each its own data directory or its own
 * {@code MAILTREE_NODE_ID}.
 */
@Component
public class NodeIdentity {

    static final String FILE = "node-id";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final String id;

    NodeIdentity(@Value("${mailtree.node-id:}") String configured, @Value("${mailtree.data-path}") String dataPath) {
        this.id = configured == null || configured.isBlank() ? persisted(Path.of(dataPath).resolve(FILE))
                : valid(configured.strip(), "MAILTREE_NODE_ID");
    }

    /** The id: at most 64 letters, digits and {@code . _ : -}. */
    public String id() {
        return id;
    }

    /** The id kept in {@code file}, written there first (whole: a crash while writing it never leaves half an id). */
    static String persisted(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Path fresh = Files.createTempFile(file.toAbsolutePath().getParent(), FILE, ".tmp");
                try {
                    Files.writeString(fresh, UUID.randomUUID() + "\n", StandardCharsets.US_ASCII);
                    moveIfAbsent(fresh, file);
                } finally {
                    Files.deleteIfExists(fresh);
                }
            }
            return valid(Files.readString(file, StandardCharsets.US_ASCII).strip(), file.toString());
        } catch (IOException unusable) {
            throw new UncheckedIOException("cannot keep this node's id in " + file, unusable);
        }
    }

    private static void moveIfAbsent(Path fresh, Path file) throws IOException {
        try {
            Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException plainFileSystem) {
            Files.move(fresh, file);
        }
    }

    private static String valid(String id, String source) {
        if (!VALID.matcher(id).matches()) {
            throw new IllegalStateException("the node id from " + source + " must be 1 to 64 letters, digits and . _ : -");
        }
        return id;
    }
}
