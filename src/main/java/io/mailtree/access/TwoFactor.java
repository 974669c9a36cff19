package io.mailtree.access;

import dev.samstevens.totp.code.CodeGenerator;
import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.HashingAlgorithm;
import dev.samstevens.totp.exceptions.CodeGenerationException;
import dev.samstevens.totp.exceptions.QrGenerationException;
import dev.samstevens.totp.qr.QrData;
import dev.samstevens.totp.qr.ZxingPngQrGenerator;
import dev.samstevens.totp.recovery.RecoveryCodeGenerator;
import dev.samstevens.totp.secret.DefaultSecretGenerator;
import dev.samstevens.totp.util.Utils;
import io.mailtree.accounts.AccountTree;
import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Times;
import io.mailtree.shared.UserId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Two-factor sign-in with TOTP (RFC 6238, 30-second steps, 6 digits, SHA-1: what every
 * authenticator app reads from the QR code), ADR 0019. The codes, secrets, recovery codes and QR
 * image come from the {@code dev.samstevens.totp} library; this class keeps them, accepts a code once
 * (a step at or before the last accepted one is refused, so an overheard code cannot be replayed),
 * throttles guessing with the sign-in throttle, and audits every act (D-32).
 * <p>An account's owner may require two-factor sign-in of everyone with access to the account: a
 * person without it is sent to enrol on their next request there.
 */
@Service
public class TwoFactor {

    static final int RECOVERY_CODES = 10;
    private static final String ISSUER = "Mailtree";
    /** One step either side of the present, for clocks a little apart (RFC 6238 section 5.2). */
    private static final int ALLOWED_DRIFT_STEPS = 1;
    private static final long STEP_SECONDS = 30;

    private final JdbcClient jdbc;
    private final Users users;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final AccountTree accounts;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final CodeGenerator codes = new DefaultCodeGenerator(HashingAlgorithm.SHA1, 6);

    TwoFactor(JdbcClient jdbc, Users users, LoginThrottle throttle, AuditLog audit, AccountTree accounts, Clock clock,
            PlatformTransactionManager transactionManager) {
        this.transactions = new TransactionTemplate(transactionManager);
        this.jdbc = jdbc;
        this.users = users;
        this.throttle = throttle;
        this.audit = audit;
        this.accounts = accounts;
        this.clock = clock;
    }

    /** A started enrolment: the secret to type by hand, and the QR code as a {@code data:} PNG. */
    public record Enrolment(String secret, String qrImage) {
    }

    /** How a sign-in code was taken. */
    public enum Check {
        ACCEPTED, RECOVERY_CODE_ACCEPTED, WRONG, THROTTLED
    }

    /** Whether the person signs in with a code. */
    public boolean isEnabled(UserId user) {
        return jdbc.sql("select count(*) from two_factor where user_id = ? and enabled_at is not null")
                .param(user.value()).query(Long.class).single() > 0;
    }

    /** When two-factor sign-in was turned on, if it is. */
    public Optional<Instant> enabledSince(UserId user) {
        return jdbc.sql("select enabled_at from two_factor where user_id = ? and enabled_at is not null")
                .param(user.value()).query((rs, n) -> Times.instant(rs, "enabled_at")).optional();
    }

    /** Unused recovery codes left. */
    public int recoveryCodesLeft(UserId user) {
        return jdbc.sql("select count(*) from two_factor_recovery_code where user_id = ? and used_at is null")
                .param(user.value()).query(Long.class).single().intValue();
    }

    /**
     * Starts (or restarts) enrolment with a fresh secret, not in force until a code confirms it. Once
     * two-factor sign-in is on, it must be turned off first.
     */
    @Transactional
    public Enrolment start(Caller caller) {
        User user = person(caller);
        if (isEnabled(user.id())) {
            throw DomainProblem.conflict("two_factor_already_on", "two-factor sign-in is already on");
        }
        String secret = new DefaultSecretGenerator().generate();
        jdbc.sql("delete from two_factor where user_id = ?").param(user.id().value()).update();
        jdbc.sql("insert into two_factor (user_id, secret, created_at) values (?, ?, ?)")
                .params(user.id().value(), secret, Times.sql(clock.instant())).update();
        return new Enrolment(secret, qrImage(user.email(), secret));
    }

    /**
     * Confirms the enrolment with a code from the app: two-factor sign-in is on from now, and the
     * recovery codes are answered, this once; only their digests are kept.
     */
    public List<String> confirm(Caller caller, String code) {
        User user = person(caller);
        Optional<String> secret = jdbc.sql("select secret from two_factor where user_id = ? and enabled_at is null")
                .param(user.id().value()).query(String.class).optional();
        if (secret.isEmpty()) {
            throw DomainProblem.conflict("two_factor_not_started", "start two-factor enrolment first");
        }
        // Outside the transaction below: a wrong code's count in the throttle must stay.
        guarded(user, caller.address(), () -> acceptTotp(user.id(), secret.get(), code));
        List<String> recovery = List.of(new RecoveryCodeGenerator().generateCodes(RECOVERY_CODES));
        transactions.executeWithoutResult(status -> {
            jdbc.sql("update two_factor set enabled_at = ? where user_id = ?").params(Times.sql(clock.instant()),
                    user.id().value()).update();
            jdbc.sql("delete from two_factor_recovery_code where user_id = ?").param(user.id().value()).update();
            for (String one : recovery) {
                jdbc.sql("insert into two_factor_recovery_code (user_id, code_hash) values (?, ?)")
                        .params(user.id().value(), digest(one)).update();
            }
            audit(caller, "two_factor.enabled");
        });
        return recovery;
    }

    /** Turns two-factor sign-in off; a current code (or a recovery code) proves it is the person. */
    public void disable(Caller caller, String code) {
        User user = person(caller);
        Optional<String> secret = enabledSecret(user.id());
        if (secret.isEmpty()) {
            throw DomainProblem.conflict("two_factor_not_on", "two-factor sign-in is not on");
        }
        guarded(user, caller.address(), () -> acceptTotp(user.id(), secret.get(), code) || acceptRecovery(user.id(), code));
        transactions.executeWithoutResult(status -> {
            jdbc.sql("delete from two_factor_recovery_code where user_id = ?").param(user.id().value()).update();
            jdbc.sql("delete from two_factor where user_id = ?").param(user.id().value()).update();
            audit(caller, "two_factor.disabled");
        });
    }

    /**
     * The second step of a sign-in: a code from the app, or one of the recovery codes (each works
     * once). Wrong codes count in the sign-in throttle, per person and per address, on every node.
     */
    @Transactional
    public Check signIn(User user, String code, String address) {
        String bucket = throttleLogin(user);
        if (throttle.isBlocked(bucket, address)) {
            return Check.THROTTLED;
        }
        Optional<String> secret = enabledSecret(user.id());
        if (secret.isEmpty()) {
            return Check.WRONG;
        }
        Check check = acceptTotp(user.id(), secret.get(), code) ? Check.ACCEPTED
                : acceptRecovery(user.id(), code) ? Check.RECOVERY_CODE_ACCEPTED : Check.WRONG;
        AccountId account = user.accountId();
        AccountId root = accounts.find(account).map(a -> a.rootId()).orElse(account);
        if (check == Check.WRONG) {
            throttle.recordFailure(bucket, address);
        } else {
            throttle.recordSuccess(bucket, address);
            audit.recordSelf(user.email(), address, root, account,
                    check == Check.ACCEPTED ? "two_factor.signed_in" : "two_factor.recovery_code_used");
        }
        return check;
    }

    /** Whether the owner of {@code account} requires two-factor sign-in there. */
    public boolean required(AccountId account) {
        return jdbc.sql("select count(*) from two_factor_requirement where account_id = ?").param(account.value())
                .query(Long.class).single() > 0;
    }

    /** Whether this person must enrol before working in {@code account}: it requires it, and they have not. One query. */
    public boolean mustEnrol(UserId user, AccountId account) {
        return jdbc.sql("""
                select count(*) from two_factor_requirement r where r.account_id = ?
                and not exists (select 1 from two_factor t where t.user_id = ? and t.enabled_at is not null)""")
                .params(account.value(), user.value()).query(Long.class).single() > 0;
    }

    /** Whether the caller may set the requirement: only the owner of the account they work in. */
    public boolean mayRequire(Caller caller) {
        return users.find(caller.userId()).filter(u -> u.role() == UserRole.OWNER)
                .filter(u -> u.accountId().equals(caller.principalAccount())).isPresent()
                && caller.accountId().equals(caller.principalAccount());
    }

    /** The owner requires (or stops requiring) two-factor sign-in of everyone with access to their account. */
    @Transactional
    public void require(Caller caller, boolean required) {
        if (!mayRequire(caller)) {
            throw DomainProblem.forbidden("only_owner_requires_two_factor",
                    "only the account's owner can require two-factor sign-in");
        }
        AccountId account = caller.principalAccount();
        if (required == required(account)) {
            return;
        }
        if (required) {
            jdbc.sql("insert into two_factor_requirement (account_id, required_by, required_at) values (?, ?, ?)")
                    .params(account.value(), caller.actor(), Times.sql(clock.instant())).update();
        } else {
            jdbc.sql("delete from two_factor_requirement where account_id = ?").param(account.value()).update();
        }
        audit(caller, required ? "two_factor.required" : "two_factor.no_longer_required");
    }

    private Optional<String> enabledSecret(UserId user) {
        return jdbc.sql("select secret from two_factor where user_id = ? and enabled_at is not null")
                .param(user.value()).query(String.class).optional();
    }

    /**
     * Accepts a 6-digit code of the present step or one either side, once: the step it matched is
     * remembered, and that step or an earlier one is refused afterwards.
     */
    private boolean acceptTotp(UserId user, String secret, String code) {
        String digits = code == null ? "" : code.replaceAll("\\s", "");
        if (!digits.matches("\\d{6}")) {
            return false;
        }
        long now = clock.instant().getEpochSecond() / STEP_SECONDS;
        for (long step = now - ALLOWED_DRIFT_STEPS; step <= now + ALLOWED_DRIFT_STEPS; step++) {
            if (MessageDigest.isEqual(generate(secret, step).getBytes(StandardCharsets.US_ASCII),
                    digits.getBytes(StandardCharsets.US_ASCII))) {
                // Conditional on the row's last step, so two nodes taking the same code race to one winner.
                return jdbc.sql("update two_factor set last_step = ? where user_id = ? and (last_step is null or last_step < ?)")
                        .params(step, user.value(), step).update() == 1;
            }
        }
        return false;
    }

    private boolean acceptRecovery(UserId user, String code) {
        if (code == null || code.isBlank() || code.length() > 64) {
            return false;
        }
        return jdbc.sql("""
                update two_factor_recovery_code set used_at = ?
                where user_id = ? and code_hash = ? and used_at is null""")
                .params(Times.sql(clock.instant()), user.value(), digest(code)).update() == 1;
    }

    private String generate(String secret, long step) {
        try {
            return codes.generate(secret, step);
        } catch (CodeGenerationException e) {
            throw new IllegalStateException("cannot compute a TOTP code", e);
        }
    }

    private void guarded(User user, String address, java.util.function.BooleanSupplier check) {
        String bucket = throttleLogin(user);
        if (throttle.isBlocked(bucket, address)) {
            throw new DomainProblem(429, "two_factor_throttled", "too many wrong codes; wait and try again");
        }
        if (!check.getAsBoolean()) {
            throttle.recordFailure(bucket, address);
            throw DomainProblem.invalid("two_factor_code_wrong", "the code is wrong or was already used");
        }
        throttle.recordSuccess(bucket, address);
    }

    /** Code guesses are counted apart from passwords: the same rules, a bucket of their own per person. */
    private static String throttleLogin(User user) {
        return "totp:" + user.id().value();
    }

    private User person(Caller caller) {
        if (caller.userId() == null) {
            throw DomainProblem.forbidden("people_only", "two-factor sign-in is a person's setting");
        }
        return users.find(caller.userId()).orElseThrow(() -> DomainProblem.notFound("user_not_found", "user"));
    }

    private void audit(Caller caller, String action) {
        AccountId account = caller.principalAccount();
        AccountId root = accounts.find(account).map(a -> a.rootId()).orElse(account);
        audit.record(caller, root, account, action, "user", caller.userId().value().toString(), null);
    }

    private static String qrImage(String email, String secret) {
        QrData data = new QrData.Builder().label(email).secret(secret).issuer(ISSUER)
                .algorithm(HashingAlgorithm.SHA1).digits(6).period((int) STEP_SECONDS).build();
        ZxingPngQrGenerator generator = new ZxingPngQrGenerator();
        try {
            return Utils.getDataUriForImage(generator.generate(data), generator.getImageMimeType());
        } catch (QrGenerationException e) {
            throw new IllegalStateException("cannot draw the enrolment QR code", e);
        }
    }

    /** Recovery codes are long random values: a plain digest is enough, and lets a lookup find one. */
    static String digest(String recoveryCode) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(recoveryCode.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
