package io.mailtree.keys;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.SubaccountNotFound;
import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.ApiKeyId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.FieldChecks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Managing API keys (D-17) for the API and the keys page. Any caller lists the keys of the account
 * it acts on, and a master also those of each of its sub-accounts. Only a master creates, renames,
 * relabels, revokes or rotates keys, for itself or one of its sub-accounts: a sub-account, however
 * reached, gets {@code masters_only} (403) from {@link Caller#requireMaster()}. A key outside the
 * caller's reach (another master's, a sibling sub-account's, a malformed id) answers
 * {@link ApiKeyNotFound}. Every act is written to the audit log in its transaction (D-32).
 * <p>Relabelling is kept from sub-accounts too because a label decides which mail delivery serves
 * first (D-20): a sub-account must not lift its marketing key ahead of the queue.
 */
@Service
public class KeyManagement {

    public static final int NAME_MAX = 100;
    public static final Duration GRACE_MAX = Duration.ofHours(24);
    public static final Duration GRACE_DEFAULT = Duration.ofHours(1);

    private final ApiKeys keys;
    private final AccountTree accounts;
    private final AuditLog audit;

    KeyManagement(ApiKeys keys, AccountTree accounts, AuditLog audit) {
        this.keys = keys;
        this.accounts = accounts;
        this.audit = audit;
    }

    /** A key with the name of the account it belongs to, as lists show it. */
    public record ListedKey(ApiKey key, String accountName) {
    }

    /** An account a key can be made for, as the page's account choice shows it. */
    public record KeyOwner(AccountId id, String name, boolean self) {
    }

    /**
     * The keys the caller may see: its account's, and for a master its sub-accounts' too, the
     * master's first, then by account name. {@code only} narrows to one of those accounts; any other
     * account answers {@link SubaccountNotFound}.
     */
    public List<ListedKey> list(Caller caller, AccountId only) {
        List<AccountId> scope = new ArrayList<>();
        if (only != null) {
            scope.add(reachableAccount(caller, only));
        } else {
            scope.add(caller.accountId());
            if (caller.master()) {
                scope.addAll(accounts.subaccountIds(caller.accountId()));
            }
        }
        Map<AccountId, String> names = accounts.namesOf(scope);
        return keys.of(scope).stream()
                .map(k -> new ListedKey(k, names.get(k.accountId())))
                .sorted(Comparator.comparing((ListedKey k) -> !k.key().accountId().equals(caller.accountId()))
                        .thenComparing(k -> Objects.toString(k.accountName(), "")))
                .toList();
    }

    /** One key within the caller's reach (see {@link #list}). */
    public ListedKey get(Caller caller, String id) {
        ApiKey key = reachableKey(caller, id);
        return new ListedKey(key, accounts.namesOf(List.of(key.accountId())).get(key.accountId()));
    }

    /** The accounts a master may create keys for: itself, then its sub-accounts. */
    public List<KeyOwner> owners(Caller caller) {
        caller.requireMaster();
        List<AccountId> ids = new ArrayList<>();
        ids.add(caller.accountId());
        ids.addAll(accounts.subaccountIds(caller.accountId()));
        Map<AccountId, String> names = accounts.namesOf(ids);
        return ids.stream().map(id -> new KeyOwner(id, names.get(id), id.equals(caller.accountId())))
                .sorted(Comparator.comparing((KeyOwner o) -> !o.self()).thenComparing(o -> Objects.toString(o.name(), "")))
                .toList();
    }

    /**
     * D-17: a master adds a key for itself ({@code account} null or its own id) or for one of its
     * sub-accounts, with a name and a label ({@code TRANSACTIONAL} when none is given). The answer
     * holds the secret, which is never shown again.
     */
    @Transactional
    public IssuedKey create(Caller caller, String account, String name, String label) {
        caller.requireMaster();
        // Another account's id answers "not found" on its own, as it always has; the fields are then
        // checked together, so one answer names all that is wrong.
        AccountId owner = account == null || account.isBlank() ? caller.accountId()
                : reachableAccount(caller, AccountId.parse(account.strip()).orElseThrow(SubaccountNotFound::new));
        FieldChecks checks = new FieldChecks();
        String validName = checks.check("name", () -> validName(name));
        KeyLabel validLabel = checks.check("label", () -> KeyLabel.parse(label, KeyLabel.TRANSACTIONAL));
        checks.throwIfAny();
        IssuedKey issued = keys.issue(owner, validName, validLabel, false);
        audit.record(caller, caller.accountId(), owner, "key.created", "api_key", issued.key().id().toString(),
                "publicKey=" + issued.key().publicKey() + ", name=" + validName + ", label=" + validLabel);
        return issued;
    }

    /** Renames and/or relabels a key; a null {@code name} or {@code label} keeps what it is. */
    @Transactional
    public ApiKey change(Caller caller, String id, String name, String label) {
        caller.requireMaster();
        ApiKey key = reachableKey(caller, id);
        FieldChecks checks = new FieldChecks();
        String newName = name == null ? key.name() : checks.check("name", () -> validName(name));
        KeyLabel newLabel = label == null ? key.label() : checks.check("label", () -> KeyLabel.parse(label, key.label()));
        checks.throwIfAny();
        requireActive(key);
        if (newName.equals(key.name()) && newLabel == key.label()) {
            return key;
        }
        if (!keys.change(key.id(), newName, newLabel)) {
            throw revoked();
        }
        if (!newName.equals(key.name())) {
            audit.record(caller, caller.accountId(), key.accountId(), "key.renamed", "api_key", key.id().toString(),
                    "from=" + key.name() + ", to=" + newName);
        }
        if (newLabel != key.label()) {
            audit.record(caller, caller.accountId(), key.accountId(), "key.relabelled", "api_key", key.id().toString(),
                    "from=" + key.label() + ", to=" + newLabel);
        }
        return keys.find(key.id()).orElseThrow(ApiKeyNotFound::new);
    }

    /** Revokes a key: its secret, and a rotated-out one in its grace period, are refused from now on. */
    @Transactional
    public ApiKey revoke(Caller caller, String id) {
        caller.requireMaster();
        ApiKey key = reachableKey(caller, id);
        requireActive(key);
        if (!keys.revoke(key.id())) {
            throw revoked();
        }
        audit.record(caller, caller.accountId(), key.accountId(), "key.revoked", "api_key", key.id().toString(),
                "publicKey=" + key.publicKey());
        return keys.find(key.id()).orElseThrow(ApiKeyNotFound::new);
    }

    /**
     * Gives a key a new secret, answered once. The current secret stays valid for {@code grace}
     * ({@link #GRACE_DEFAULT} when null; zero ends it at once; more than {@link #GRACE_MAX} is
     * refused with {@code grace_period_too_long}).
     */
    @Transactional
    public IssuedKey rotate(Caller caller, String id, Duration grace) {
        caller.requireMaster();
        Duration validGrace = validGrace(grace);
        ApiKey key = reachableKey(caller, id);
        requireActive(key);
        String secret = keys.rotate(key.id(), validGrace).orElseThrow(KeyManagement::revoked);
        ApiKey rotated = keys.find(key.id()).orElseThrow(ApiKeyNotFound::new);
        audit.record(caller, caller.accountId(), key.accountId(), "key.rotated", "api_key", key.id().toString(),
                "publicKey=" + key.publicKey() + ", previousSecretValidUntil="
                        + (rotated.previousSecretValidUntil() == null ? "none" : rotated.previousSecretValidUntil()));
        return new IssuedKey(rotated, secret);
    }

    static Duration validGrace(Duration grace) {
        if (grace == null) {
            return GRACE_DEFAULT;
        }
        if (grace.isNegative()) {
            throw DomainProblem.invalid("invalid_grace_period", "the grace period cannot be negative");
        }
        if (grace.compareTo(GRACE_MAX) > 0) {
            throw DomainProblem.invalid("grace_period_too_long", "the grace period is at most 24 hours", 24)
                    .with("maxMinutes", GRACE_MAX.toMinutes());
        }
        return grace;
    }

    private static String validName(String name) {
        String stripped = name == null ? "" : name.strip();
        if (stripped.isEmpty()) {
            throw DomainProblem.invalid("key_name_required", "a key needs a name");
        }
        if (stripped.length() > NAME_MAX) {
            throw DomainProblem.invalid("key_name_too_long", "a key's name has at most " + NAME_MAX + " characters",
                    NAME_MAX).with("max", NAME_MAX);
        }
        return stripped;
    }

    private static void requireActive(ApiKey key) {
        if (!key.isActive()) {
            throw revoked();
        }
    }

    private static DomainProblem revoked() {
        return DomainProblem.conflict("api_key_revoked", "the key is revoked");
    }

    /** The caller's own account or, for a master, one of its sub-accounts; anything else is not found. */
    private AccountId reachableAccount(Caller caller, AccountId account) {
        if (account.equals(caller.accountId())) {
            return account;
        }
        if (!caller.master()) {
            throw new SubaccountNotFound();
        }
        return accounts.subaccount(caller.accountId(), account).id();
    }

    private ApiKey reachableKey(Caller caller, String id) {
        ApiKey key = parse(id).flatMap(keys::find).orElseThrow(ApiKeyNotFound::new);
        if (key.accountId().equals(caller.accountId())) {
            return key;
        }
        boolean ownSubaccount = caller.master() && accounts.find(key.accountId()).map(Account::parentId)
                .filter(caller.accountId()::equals).isPresent();
        if (!ownSubaccount) {
            throw new ApiKeyNotFound();
        }
        return key;
    }

    private static Optional<ApiKeyId> parse(String id) {
        if (id == null || id.length() != 36) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ApiKeyId(UUID.fromString(id)));
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }
}
