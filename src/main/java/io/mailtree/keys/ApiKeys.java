package io.mailtree.keys;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.ApiKeyId;
import io.mailtree.shared.Secrets;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Issues and verifies API keys. A public key reads {@code mt_pk_…}; a secret reads
 * {@code mt_sk_…} with 40 random characters (about 234 bits), so a secret scanner can match the
 * prefix and a fast hash is enough to store it.
 */
@Service
public class ApiKeys {

    public static final String PUBLIC_PREFIX = "mt_pk_";
    public static final String SECRET_PREFIX = "mt_sk_";

    private static final RowMapper<ApiKey> MAPPER = (rs, n) -> new ApiKey(
            new ApiKeyId(rs.getObject("id", UUID.class)), new AccountId(rs.getObject("account_id", UUID.class)),
            rs.getString("public_key"), rs.getString("secret_hint"), rs.getString("name"), rs.getString("label"),
            rs.getBoolean("is_primary"), rs.getString("status"), Times.instant(rs, "created_at"),
            Times.instant(rs, "revoked_at"), Times.instant(rs, "last_used_at"));

    private final JdbcClient jdbc;
    private final Clock clock;

    ApiKeys(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** D-16: the key every new account gets ("primary" for a master, "secondary" for a sub-account). */
    @Transactional
    public IssuedKey issuePrimary(AccountId account, String name) {
        return issue(account, name, null, true);
    }

    @Transactional
    public IssuedKey issue(AccountId account, String name, String label, boolean primary) {
        Instant now = clock.instant();
        String publicKey = PUBLIC_PREFIX + Secrets.randomToken(24);
        String secret = SECRET_PREFIX + Secrets.randomToken(40);
        ApiKey key = new ApiKey(ApiKeyId.random(), account, publicKey, secret.substring(secret.length() - 4), name,
                label, primary, "ACTIVE", now, null, null);
        jdbc.sql("""
                insert into api_key (id, account_id, public_key, secret_hash, secret_hint, name, label, is_primary,
                    status, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?)""")
                .params(key.id().value(), account.value(), publicKey, Secrets.sha256Hex(secret), key.secretHint(), name,
                        label, primary, Times.sql(now))
                .update();
        return new IssuedKey(key, secret);
    }

    public List<ApiKey> of(AccountId account) {
        return jdbc.sql("select * from api_key where account_id = ? order by created_at, id")
                .param(account.value()).query(MAPPER).list();
    }

    /** The key with this public key, whatever its status. */
    public Optional<ApiKey> find(String publicKey) {
        if (publicKey == null || publicKey.length() > 64) {
            return Optional.empty();
        }
        return jdbc.sql("select * from api_key where public_key = ?").param(publicKey).query(MAPPER).optional();
    }

    /**
     * The active key with this public key whose secret matches, compared in constant time; empty
     * for an unknown key, a wrong secret or a revoked key alike.
     */
    public Optional<ApiKey> authenticate(String publicKey, String secret) {
        if (publicKey == null || secret == null || !publicKey.startsWith(PUBLIC_PREFIX) || publicKey.length() > 64
                || secret.length() > 128) {
            return Optional.empty();
        }
        record Row(ApiKey key, String hash) {
        }
        Optional<Row> row = jdbc.sql("select * from api_key where public_key = ?").param(publicKey)
                .query((rs, n) -> new Row(MAPPER.mapRow(rs, n), rs.getString("secret_hash"))).optional();
        String presented = Secrets.sha256Hex(secret);
        if (row.isEmpty() || !Secrets.equal(row.get().hash(), presented) || !row.get().key().isActive()) {
            return Optional.empty();
        }
        return Optional.of(row.get().key());
    }
}
