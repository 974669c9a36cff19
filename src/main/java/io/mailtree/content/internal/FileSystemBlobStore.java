package io.mailtree.content.internal;

import io.mailtree.content.BlobStore;
import io.mailtree.shared.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Blobs as files under {@code MAILTREE_DATA_DIR/blobs}. Keys are generated here (prefix plus
 * random token), never taken from a file name, so no upload can name a path of its own.
 */
@Component
class FileSystemBlobStore implements BlobStore {

    private static final Pattern KEY = Pattern.compile("^[a-z]{1,20}/[A-Za-z0-9]{32}$");

    private final Path root;

    FileSystemBlobStore(@Value("${mailtree.data-path}") String dataPath) {
        this.root = Path.of(dataPath, "blobs");
    }

    @Override
    public Stored put(String prefix, InputStream content, long maxBytes) throws IOException {
        String key = prefix + "/" + Secrets.randomToken(32);
        Path file = resolve(key);
        Files.createDirectories(file.getParent());
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = content; OutputStream out = Files.newOutputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                total += n;
                if (total > maxBytes) {
                    throw new TooLarge(maxBytes);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException failure) {
            Files.deleteIfExists(file);
            throw failure;
        }
        return new Stored(key, total);
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(resolve(key));
    }

    @Override
    public byte[] read(String key) throws IOException {
        return Files.readAllBytes(resolve(key));
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(resolve(key));
    }

    private Path resolve(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a blob key");
        }
        return root.resolve(key);
    }
}
