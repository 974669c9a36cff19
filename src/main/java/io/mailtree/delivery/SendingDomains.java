package io.mailtree.delivery;

import io.mailtree.shared.Caller;
import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.FieldChecks;
import io.mailtree.shared.Times;
import java.net.IDN;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Sending domains: each gets an RSA-2048 DKIM key pair when registered, and an Ed25519 pair for a
 * second signature when the account turns it on. Private keys are kept for signing; the page and
 * the API show the DNS records to publish.
 */
@Service
public class SendingDomains {

    static final String SELECTOR = "mt1";
    private static final Pattern LABEL = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");

    static final RowMapper<SendingDomain> MAPPER = (rs, n) -> new SendingDomain(rs.getLong("id"), rs.getString("domain"),
            rs.getString("selector"), rs.getString("public_key"), rs.getString("ed25519_public_key"),
            Times.instant(rs, "created_at"));

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final Clock clock;

    SendingDomains(JdbcClient jdbc, AuditLog audit, Clock clock) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.clock = clock;
    }

    public List<SendingDomain> of(AccountId account) {
        return jdbc.sql("select * from sending_domain where account_id = ? order by domain").param(account.value())
                .query(MAPPER).list();
    }

    public SendingDomain get(AccountId account, long id) {
        return jdbc.sql("select * from sending_domain where account_id = ? and id = ?").params(account.value(), id)
                .query(MAPPER).optional().orElseThrow(() -> DomainProblem.notFound("domain_not_found", "domain"));
    }

    @Transactional
    public SendingDomain add(AccountId account, String domain) {
        // Refused as a field, as the other forms' fields are: the API answers it in its errors list too.
        FieldChecks checks = new FieldChecks();
        String name = checks.check("domain", () -> validDomain(domain));
        checks.throwIfAny();
        KeyPair keys = generate();
        try {
            jdbc.sql("""
                    insert into sending_domain (account_id, domain, selector, private_key, public_key, created_at)
                    values (?, ?, ?, ?, ?, ?)""")
                    .params(account.value(), name, SELECTOR,
                            Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded()),
                            Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()), Times.sql(clock.instant()))
                    .update();
        } catch (DuplicateKeyException exists) {
            new FieldChecks().add("domain", DomainProblem.conflict("domain_exists", "this domain is already registered"))
                    .throwIfAny();
        }
        return jdbc.sql("select * from sending_domain where account_id = ? and domain = ?").params(account.value(), name)
                .query(MAPPER).single();
    }

    /**
     * Turns the Ed25519 second signature on (a new key pair, its record to publish at
     * {@code mt2._domainkey}) or off (the key is forgotten). Turning it on again issues a new key.
     */
    @Transactional
    public SendingDomain ed25519(AccountId account, long id, boolean on) {
        SendingDomain domain = get(account, id);
        if (on == domain.ed25519()) {
            return domain;
        }
        String privateKey = null;
        String publicKey = null;
        if (on) {
            KeyPair pair;
            try {
                pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            } catch (NoSuchAlgorithmException impossible) {
                throw new IllegalStateException("this Java has no Ed25519", impossible);
            }
            privateKey = Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded());
            // The record's p= is the raw 32-byte key: the end of its X.509 encoding (RFC 8463 §4).
            byte[] encoded = pair.getPublic().getEncoded();
            publicKey = Base64.getEncoder().encodeToString(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
        }
        jdbc.sql("update sending_domain set ed25519_private_key = ?, ed25519_public_key = ? where account_id = ? and id = ?")
                .params(privateKey, publicKey, account.value(), id).update();
        return get(account, id);
    }

    @Transactional
    public void remove(AccountId account, long id) {
        get(account, id);
        jdbc.sql("delete from sending_domain where account_id = ? and id = ?").params(account.value(), id).update();
    }

    /** The DKIM signing key of the account's domain, if it registered that domain. */
    public Optional<SigningKey> signingKey(AccountId account, String domain) {
        return jdbc.sql("""
                select domain, selector, private_key, ed25519_private_key from sending_domain
                where account_id = ? and domain = ?""")
                .params(account.value(), domain.toLowerCase(Locale.ROOT))
                .query((rs, n) -> new SigningKey(rs.getString(1), rs.getString(2), privateKey(rs.getString(3)),
                        rs.getString(4) == null ? null : ed25519Key(rs.getString(4))))
                .optional();
    }

    /**
     * What a DKIM signer needs: the signing domain, the RSA selector and private key, and the
     * Ed25519 private key of the second signature (null when off).
     */
    public record SigningKey(String domain, String selector, RSAPrivateKey privateKey, PrivateKey ed25519) {
    }

    private static PrivateKey ed25519Key(String pkcs8) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8)));
        } catch (NoSuchAlgorithmException | InvalidKeySpecException broken) {
            throw new IllegalStateException("a stored Ed25519 key cannot be read", broken);
        }
    }

    static String validDomain(String raw) {
        String value = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
        String ascii;
        try {
            ascii = IDN.toASCII(value, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException invalid) {
            throw invalidDomain();
        }
        String[] labels = ascii.split("\\.", -1);
        if (ascii.length() > 253 || labels.length < 2) {
            throw invalidDomain();
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw invalidDomain();
            }
        }
        return ascii;
    }

    private static DomainProblem invalidDomain() {
        return DomainProblem.invalid("invalid_domain", "not a valid domain name").with("field", "domain");
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * Parsed keys by their stored text: delivery signs message after message with the same few keys,
     * and parsing one costs more than the query that reads it. A changed key is new text, so nothing
     * stale is ever used; the map is emptied when it grows past what a node plausibly signs with.
     */
    private static final Map<String, RSAPrivateKey> PARSED_KEYS = new ConcurrentHashMap<>();

    private static RSAPrivateKey privateKey(String base64) {
        RSAPrivateKey known = PARSED_KEYS.get(base64);
        if (known != null) {
            return known;
        }
        if (PARSED_KEYS.size() > 10_000) {
            PARSED_KEYS.clear();
        }
        RSAPrivateKey parsed = parse(base64);
        PARSED_KEYS.put(base64, parsed);
        return parsed;
    }

    private static RSAPrivateKey parse(String base64) {
        try {
            return (RSAPrivateKey) KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (NoSuchAlgorithmException | InvalidKeySpecException broken) {
            throw new IllegalStateException("a stored DKIM key cannot be read", broken);
        }
    }

    // --- The administrative acts of D-32: the same changes, written to the audit log in their transaction.

    /** Adds a domain as {@code caller}'s act, audited. */
    @Transactional
    public SendingDomain add(Caller caller, String domain) {
        SendingDomain added = add(caller.accountId(), domain);
        audit.record(caller, "domain.added", "domain", String.valueOf(added.id()), added.domain());
        return added;
    }

    /** Turns the Ed25519 signature on or off as {@code caller}'s act, audited when it changed. */
    @Transactional
    public SendingDomain ed25519(Caller caller, long id, boolean on) {
        boolean before = get(caller.accountId(), id).ed25519();
        SendingDomain changed = ed25519(caller.accountId(), id, on);
        if (before != on) {
            audit.record(caller, "domain.changed", "domain", String.valueOf(id),
                    changed.domain() + ": ed25519=" + (on ? "on" : "off"));
        }
        return changed;
    }

    /** Removes a domain as {@code caller}'s act, audited. */
    @Transactional
    public void remove(Caller caller, long id) {
        SendingDomain domain = get(caller.accountId(), id);
        remove(caller.accountId(), id);
        audit.record(caller, "domain.removed", "domain", String.valueOf(id), domain.domain());
    }
}
