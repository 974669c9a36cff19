package io.mailtree.keys;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.ApiKeyId;
import io.mailtree.shared.Secrets;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Issues and verifies API keys. A public key reads {@code mt_pk_…}; a secret reads
 * {@code mt_sk_…} with 40 random characters (about 234 bits), so a secret scanner can match the
 * prefix and a fast hash is enough to store it. A rotated key keeps the hash of its previous secret
 * until the end of the grace period chosen at rotation (D-17), so for that time two hashes match.
 * Managing keys (creating, renaming, revoking, rotating on behalf of a person) goes through
 * {@link KeyManagement}, which checks who may do it.
 */
@Service
public class ApiKeys {

    public static final String PUBLIC_PREFIX = "mt_pk_";
    public static final String SECRET_PREFIX = "mt_sk_";

    /** A key's last use is written at most this often: authentication must not write on every request. */
    static final Duration LAST_USE_PRECISION = Duration.ofMinutes(1);
    /** A use from a new address is written sooner, but never more often than this. */
    static final Duration NEW_ADDRESS_PRECISION = Duration.ofSeconds(10);

    /** Ids bound per statement, well under what the drivers accept. */
    private static final int IDS_PER_STATEMENT = 500;

    private static final RowMapper<ApiKey> MAPPER = (rs, n) -> new ApiKey(
            new ApiKeyId(rs.getObject("id", UUID.class)), new AccountId(rs.getObject("account_id", UUID.class)),
            rs.getString("public_key"), rs.getString("secret_hint"), rs.getString("name"),
            KeyLabel.valueOf(rs.getString("label")), rs.getBoolean("is_primary"), rs.getString("status"),
            Times.instant(rs, "created_at"), Times.instant(rs, "revoked_at"), Times.instant(rs, "rotated_at"),
            Times.instant(rs, "previous_secret_valid_until"), Times.instant(rs, "last_used_at"),
            rs.getString("last_used_address"));

    private final JdbcClient jdbc;
    private final Clock clock;

    ApiKeys(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * D-16: the key every new account gets ("primary" for a master, "secondary" for a sub-account),
     * labelled {@link KeyLabel#TRANSACTIONAL}.
     */
    @Transactional
    public IssuedKey issuePrimary(AccountId account, String name) {
        return issue(account, name, KeyLabel.TRANSACTIONAL, true);
    }

    /**
     * Stores a new key, unaudited and unguarded: a person's request goes through
     * {@link KeyManagement#create}, which checks who may have it and records the act.
     */
    @Transactional
    public IssuedKey issue(AccountId account, String name, KeyLabel label, boolean primary) {
        Instant now = clock.instant();
        String publicKey = PUBLIC_PREFIX + Secrets.randomToken(24);
        String secret = newSecret();
        ApiKey key = new ApiKey(ApiKeyId.random(), account, publicKey, hint(secret), name, label, primary,
                ApiKey.ACTIVE, now, null, null, null, null, null);
        jdbc.sql("""
                insert into api_key (id, account_id, public_key, secret_hash, secret_hint, name, label, is_primary,
                    status, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?)""")
                .params(key.id().value(), account.value(), publicKey, Secrets.sha256Hex(secret), key.secretHint(), name,
                        label.name(), primary, Times.sql(now))
                .update();
        return new IssuedKey(key, secret);
    }

    public List<ApiKey> of(AccountId account) {
        return jdbc.sql("select * from api_key where account_id = ? order by created_at, id")
                .param(account.value()).query(MAPPER).list();
    }

    /** The keys of all these accounts, oldest first within each account. */
    public List<ApiKey> of(Collection<AccountId> accounts) {
        List<ApiKey> found = new ArrayList<>();
        List<UUID> ids = accounts.stream().map(AccountId::value).distinct().toList();
        for (int from = 0; from < ids.size(); from += IDS_PER_STATEMENT) {
            List<UUID> chunk = ids.subList(from, Math.min(ids.size(), from + IDS_PER_STATEMENT));
            found.addAll(jdbc.sql("select * from api_key where account_id in (" + SqlLists.placeholders(chunk.size())
                    + ") order by created_at, id").params(chunk.toArray()).query(MAPPER).list());
        }
        return found;
    }

    /** The key with this public key, whatever its status. */
    public Optional<ApiKey> find(String publicKey) {
        if (publicKey == null || publicKey.length() > 64) {
            return Optional.empty();
        }
        return jdbc.sql("select * from api_key where public_key = ?").param(publicKey).query(MAPPER).optional();
    }

    /** The key with this id, whatever its status and account: callers scope it ({@link KeyManagement}). */
    Optional<ApiKey> find(ApiKeyId id) {
        return jdbc.sql("select * from api_key where id = ?").param(id.value()).query(MAPPER).optional();
    }

    /**
     * The label of each of these keys that exists, so that delivery can serve transactional keys
     * first (D-20); an unknown id is absent from the answer.
     */
    public Map<ApiKeyId, KeyLabel> labelsOf(Collection<ApiKeyId> keys) {
        Map<ApiKeyId, KeyLabel> labels = new HashMap<>();
        List<UUID> ids = keys.stream().map(ApiKeyId::value).distinct().toList();
        for (int from = 0; from < ids.size(); from += IDS_PER_STATEMENT) {
            List<UUID> chunk = ids.subList(from, Math.min(ids.size(), from + IDS_PER_STATEMENT));
            jdbc.sql("select id, label from api_key where id in (" + SqlLists.placeholders(chunk.size()) + ")")
                    .params(chunk.toArray())
                    .query((rs, n) -> labels.put(new ApiKeyId(rs.getObject("id", UUID.class)),
                            KeyLabel.valueOf(rs.getString("label"))))
                    .list();
        }
        return labels;
    }

    /**
     * The active key with this public key whose secret matches, compared in constant time; empty
     * for an unknown key, a wrong secret, a revoked key or a rotated-out secret past its grace
     * period alike (D-17).
     */
    public Optional<ApiKey> authenticate(String publicKey, String secret) {
        if (publicKey == null || secret == null || !publicKey.startsWith(PUBLIC_PREFIX) || publicKey.length() > 64
                || secret.length() > 128) {
            return Optional.empty();
        }
        record Row(ApiKey key, String hash, String previousHash) {
        }
        Optional<Row> row = jdbc.sql("select * from api_key where public_key = ?").param(publicKey)
                .query((rs, n) -> new Row(MAPPER.mapRow(rs, n), rs.getString("secret_hash"),
                        rs.getString("previous_secret_hash")))
                .optional();
        String presented = Secrets.sha256Hex(secret);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        ApiKey key = row.get().key();
        // Both comparisons run whatever the first answers, so timing tells nothing about which matched.
        boolean current = Secrets.equal(row.get().hash(), presented);
        boolean previous = row.get().previousHash() != null && Secrets.equal(row.get().previousHash(), presented)
                && key.inGracePeriod(clock.instant());
        return (current || previous) && key.isActive() ? Optional.of(key) : Optional.empty();
    }

    /**
     * Records that {@code key} (as just read by {@link #authenticate}) was used from {@code address}.
     * Writes at most once a minute per key, or after ten seconds when the address changed, and the
     * update is conditional, so concurrent requests of one key write once: authentication stays a read.
     */
    public void recordUse(ApiKey key, String address) {
        Instant now = clock.instant();
        String from = address == null ? null : address.length() > 64 ? address.substring(0, 64) : address;
        boolean sameAddress = java.util.Objects.equals(from, key.lastUsedAddress());
        Duration precision = sameAddress ? LAST_USE_PRECISION : NEW_ADDRESS_PRECISION;
        if (key.lastUsedAt() != null && key.lastUsedAt().isAfter(now.minus(precision))) {
            return;
        }
        jdbc.sql("""
                update api_key set last_used_at = ?, last_used_address = ?
                where id = ? and (last_used_at is null or last_used_at <= ?)""")
                .params(Times.sql(now), from, key.id().value(), Times.sql(now.minus(precision)))
                .update();
    }

    /** Renames and relabels an active key; answers false if it is no longer active. */
    boolean change(ApiKeyId id, String name, KeyLabel label) {
        return jdbc.sql("update api_key set name = ?, label = ? where id = ? and status = 'ACTIVE'")
                .params(name, label.name(), id.value()).update() == 1;
    }

    /** Revokes an active key: from now on neither its secret nor a rotated-out one is accepted. */
    boolean revoke(ApiKeyId id) {
        return jdbc.sql("""
                update api_key set status = 'REVOKED', revoked_at = ?, previous_secret_hash = null,
                    previous_secret_valid_until = null
                where id = ? and status = 'ACTIVE'""")
                .params(Times.sql(clock.instant()), id.value()).update() == 1;
    }

    /**
     * Gives an active key a new secret. With a grace period, the current secret stays accepted
     * until {@code now + grace}; a secret rotated out earlier is dropped at once (one previous
     * secret at most). Answers the new secret, or empty if the key is no longer active.
     */
    Optional<String> rotate(ApiKeyId id, Duration grace) {
        Instant now = clock.instant();
        String secret = newSecret();
        int updated = grace.isZero()
                ? jdbc.sql("""
                        update api_key set secret_hash = ?, secret_hint = ?, rotated_at = ?,
                            previous_secret_hash = null, previous_secret_valid_until = null
                        where id = ? and status = 'ACTIVE'""")
                        .params(Secrets.sha256Hex(secret), hint(secret), Times.sql(now), id.value()).update()
                : jdbc.sql("""
                        update api_key set previous_secret_hash = secret_hash, previous_secret_valid_until = ?,
                            secret_hash = ?, secret_hint = ?, rotated_at = ?
                        where id = ? and status = 'ACTIVE'""")
                        .params(Times.sql(now.plus(grace)), Secrets.sha256Hex(secret), hint(secret), Times.sql(now),
                                id.value()).update();
        return updated == 1 ? Optional.of(secret) : Optional.empty();
    }

    private static String newSecret() {
        return SECRET_PREFIX + Secrets.randomToken(40);
    }

    private static String hint(String secret) {
        return secret.substring(secret.length() - 4);
    }
}
