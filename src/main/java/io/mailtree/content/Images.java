package io.mailtree.content;

import io.mailtree.shared.Caller;
import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Secrets;
import io.mailtree.shared.Times;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The image library. An upload is accepted only when its bytes are a PNG, JPEG, GIF or WebP
 * (whatever its name says) and within the size limit; it is then served from a stable public URL
 * with an unguessable token, so e-mails can reference it.
 */
@Service
public class Images {

    static final RowMapper<Image> MAPPER = (rs, n) -> new Image(rs.getLong("id"), rs.getString("token"),
            rs.getString("file_name"), rs.getString("content_type"), rs.getLong("size_bytes"), rs.getString("sha256"),
            rs.getString("storage_key"), Times.instant(rs, "created_at"));

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final BlobStore blobs;
    private final Clock clock;
    private final long maxBytes;

    Images(JdbcClient jdbc, AuditLog audit, BlobStore blobs, Clock clock,
            @Value("${mailtree.content.image-max-bytes:5242880}") long maxBytes) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.blobs = blobs;
        this.clock = clock;
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    @Transactional
    public Image upload(AccountId account, String fileName, InputStream content) throws IOException {
        byte[] bytes = content.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (bytes.length > maxBytes) {
            throw new DomainProblem(413, "image_too_large", "an image may have at most " + maxBytes + " bytes", maxBytes);
        }
        if (bytes.length == 0) {
            throw DomainProblem.invalid("empty_file", "the file is empty").with("field", "file");
        }
        String type = FileTypes.imageType(bytes).orElseThrow(() -> DomainProblem.invalid("not_an_image",
                "the file is not a PNG, JPEG, GIF or WebP image").with("field", "file"));
        return store(account, FileTypes.safeName(fileName, "image"), type, bytes);
    }

    private Image store(AccountId account, String name, String type, byte[] bytes) throws IOException {
        BlobStore.Stored stored = blobs.put("img", new ByteArrayInputStream(bytes), maxBytes);
        String token = Secrets.randomToken(32);
        jdbc.sql("""
                insert into image (account_id, token, file_name, content_type, size_bytes, sha256, storage_key, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(account.value(), token, name, type, stored.size(), sha256(bytes), stored.key(),
                        Times.sql(clock.instant()))
                .update();
        return jdbc.sql("select * from image where token = ?").param(token).query(MAPPER).single();
    }

    public PageOf<Image> list(AccountId account, PageRequest page) {
        long total = jdbc.sql("select count(*) from image where account_id = ?").param(account.value())
                .query(Long.class).single();
        List<Image> items = jdbc.sql("select * from image where account_id = ? order by id desc limit ? offset ?")
                .params(account.value(), page.size(), page.offset()).query(MAPPER).list();
        return new PageOf<>(items, page.page(), page.size(), total);
    }

    public Image get(AccountId account, long id) {
        return jdbc.sql("select * from image where account_id = ? and id = ?").params(account.value(), id).query(MAPPER)
                .optional().orElseThrow(() -> DomainProblem.notFound("image_not_found", "image"));
    }

    public Optional<Image> byToken(String token) {
        if (token == null || !token.matches("[A-Za-z0-9]{32}")) {
            return Optional.empty();
        }
        return jdbc.sql("select * from image where token = ?").param(token).query(MAPPER).optional();
    }

    public Optional<Image> byToken(AccountId account, String token) {
        return byToken(token).filter(image -> jdbc.sql("select count(*) from image where id = ? and account_id = ?")
                .params(image.id(), account.value()).query(Long.class).single() == 1);
    }

    public InputStream open(Image image) throws IOException {
        return blobs.open(image.storageKey());
    }

    /**
     * Deletes an image from the library. Its public URL stops working, so e-mails already sent that
     * show it lose it: the caller confirms first.
     */
    @Transactional
    public void delete(AccountId account, long id) throws IOException {
        Image image = get(account, id);
        jdbc.sql("delete from image where id = ?").param(id).update();
        blobs.delete(image.storageKey());
    }

    /** Copies an image into another account's library (sharing, D-26): a new token, a new blob. */
    @Transactional
    public Image copyTo(AccountId target, Image source) throws IOException {
        return store(target, source.fileName(), source.contentType(), blobs.read(source.storageKey()));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    // --- The administrative acts of D-32: the same changes, written to the audit log in their transaction.

    /** Uploads an image as {@code caller}'s act, audited. */
    @Transactional
    public Image upload(Caller caller, String fileName, InputStream content) throws IOException {
        Image image = upload(caller.accountId(), fileName, content);
        audit.record(caller, "image.uploaded", "image", String.valueOf(image.id()), image.fileName());
        return image;
    }

    /** Deletes an image as {@code caller}'s act, audited. */
    @Transactional
    public void delete(Caller caller, long id) throws IOException {
        Image image = get(caller.accountId(), id);
        delete(caller.accountId(), id);
        audit.record(caller, "image.deleted", "image", String.valueOf(id), image.fileName());
    }
}
