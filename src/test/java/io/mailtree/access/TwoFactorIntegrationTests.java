package io.mailtree.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.HashingAlgorithm;
import io.mailtree.support.Api;
import io.mailtree.support.WebSession;
import io.mailtree.support.MailtreeTestBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two-factor sign-in over real HTTP and PostgreSQL, with real RFC 6238 codes computed from the
 * secret the enrolment page shows, at the application's clock (ADR 0019).
 */
class TwoFactorIntegrationTests extends MailtreeTestBase {

    private static final String PASSWORD = "owner-password-1";
    private static final Pattern SECRET = Pattern.compile("id=\"two-factor-secret\">([A-Z2-7]+)<");
    private static final Pattern RECOVERY = Pattern.compile("<li><code>([a-z0-9-]+)</code></li>");

    private Master master;
    private String owner;

    @BeforeEach
    void owner() {
        master = master("pro-5000");
        owner = ownerOf(master, PASSWORD);
    }

    @Test
    @DisplayName("Enrolment: a QR code, a confirming code, ten recovery codes shown once and kept hashed; audited")
    void enrolWithQrCodeAndRecoveryCodes() {
        WebSession web = signedIn(owner);
        assertThat(web.get("/profile/two-factor").body()).contains("id=\"two-factor-off\"");
        WebSession.Page enrol = web.post("/profile/two-factor/start", Map.of());
        assertThat(enrol.status()).isEqualTo(200);
        assertThat(enrol.body()).contains("id=\"two-factor-qr\" src=\"data:image/png;base64,");
        String secret = secretIn(enrol.body());

        // A wrong code turns nothing on, and says why.
        WebSession.Page wrong = web.post("/profile/two-factor/confirm", Map.of("code", otherThan(code(secret, 0))));
        assertThat(wrong.status()).isEqualTo(302);
        assertThat(web.get("/profile/two-factor").body()).contains("id=\"two-factor-off\"")
                .contains("This code is wrong or was already used.");

        List<String> recovery = enrolWith(web);
        assertThat(recovery).hasSize(TwoFactor.RECOVERY_CODES).doesNotHaveDuplicates();
        List<String> stored = jdbc.sql("""
                select code_hash from two_factor_recovery_code r join app_user u on u.id = r.user_id
                where u.email = ?""").param(owner).query(String.class).list();
        assertThat(stored).hasSize(TwoFactor.RECOVERY_CODES).doesNotContainAnyElementsOf(recovery)
                .contains(TwoFactor.digest(recovery.get(0)));
        assertThat(web.get("/profile/two-factor").body()).contains("id=\"two-factor-on\"")
                .doesNotContain(recovery.get(0));
        assertThat(web.post("/profile/two-factor/start", Map.of()).status()).as("already on").isEqualTo(302);
        assertThat(audited("two_factor.enabled")).isEqualTo(1);
    }

    @Test
    @DisplayName("Sign-in asks for the code as a second step; the password alone reaches nothing; the session id rotates after the code")
    void signInWithCodeAsSecondStep() {
        WebSession enrolled = signedIn(owner);
        String secret = startEnrolment(enrolled);
        confirm(enrolled, secret);
        clock().advance(Duration.ofSeconds(30));

        WebSession web = new WebSession(port);
        assertThat(web.signIn(owner, PASSWORD)).endsWith("/login/code");
        assertThat(web.get("/home").status()).as("the password alone").isNotEqualTo(200);
        // Any page asked for before the code leads to the code, not to a bare 403.
        assertThat(web.get("/contacts").location()).as("a page before the code").endsWith("/login/code");
        assertThat(web.get("/members").location()).endsWith("/login/code");
        assertThat(web.get("/").location()).as("the front door leads to the code").endsWith("/login/code");
        assertThat(web.get("/api/v1/account").status()).isEqualTo(401);
        WebSession.Page codePage = web.get("/login/code");
        assertThat(codePage.body()).contains("id=\"code\"");

        WebSession.Page wrong = web.post("/login/code", Map.of("code", otherThan(code(secret, 0))));
        assertThat(wrong.status()).isEqualTo(200);
        assertThat(wrong.body()).contains("id=\"code-error\"");
        String before = web.cookie("JSESSIONID");
        WebSession.Page right = web.post("/login/code", Map.of("code", code(secret, 0)));
        assertThat(right.location()).endsWith("/home");
        assertThat(web.cookie("JSESSIONID")).as("the second step rotates the session id").isNotEqualTo(before);
        assertThat(web.get("/home").status()).isEqualTo(200);
        assertThat(audited("two_factor.signed_in")).isEqualTo(1);

        // The same code does not sign in twice (replay), the next step's does.
        WebSession again = new WebSession(port);
        assertThat(again.signIn(owner, PASSWORD)).endsWith("/login/code");
        again.get("/login/code");
        assertThat(again.post("/login/code", Map.of("code", code(secret, 0))).body()).contains("id=\"code-error\"");
        clock().advance(Duration.ofSeconds(30));
        assertThat(again.post("/login/code", Map.of("code", code(secret, 0))).location()).endsWith("/home");
    }

    @Test
    @DisplayName("A recovery code signs in once, and is audited")
    void recoveryCodeWorksOnce() {
        WebSession enrolled = signedIn(owner);
        List<String> recovery = enrolWith(enrolled);

        WebSession web = new WebSession(port);
        web.signIn(owner, PASSWORD);
        web.get("/login/code");
        WebSession.Page used = web.post("/login/code", Map.of("code", recovery.get(3).toUpperCase()));
        assertThat(used.location()).contains("/profile/two-factor?recoveryUsed");
        assertThat(web.get("/profile/two-factor?recoveryUsed").body()).contains("id=\"recovery-used\"")
                .contains((TwoFactor.RECOVERY_CODES - 1) + " recovery codes are left");

        WebSession other = new WebSession(port);
        other.signIn(owner, PASSWORD);
        other.get("/login/code");
        assertThat(other.post("/login/code", Map.of("code", recovery.get(3))).body()).contains("id=\"code-error\"");
        assertThat(other.get("/home").status()).isNotEqualTo(200);
        assertThat(audited("two_factor.recovery_code_used")).isEqualTo(1);
    }

    @Test
    @DisplayName("Code guesses are throttled per person: after five wrong codes the right one waits too")
    void codeAttemptsAreThrottled() {
        WebSession enrolled = signedIn(owner);
        String secret = startEnrolment(enrolled);
        confirm(enrolled, secret);
        clock().advance(Duration.ofSeconds(30));

        WebSession web = new WebSession(port);
        web.signIn(owner, PASSWORD);
        web.get("/login/code");
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
            assertThat(web.post("/login/code", Map.of("code", otherThan(code(secret, 0)))).body())
                    .contains("This code is wrong");
        }
        WebSession.Page throttled = web.post("/login/code", Map.of("code", code(secret, 0)));
        assertThat(throttled.body()).contains("id=\"code-error\"").contains("Too many failed attempts");
        assertThat(web.get("/home").status()).isNotEqualTo(200);
        clock().advance(Duration.ofMinutes(1));
        assertThat(web.post("/login/code", Map.of("code", code(secret, 0))).location()).endsWith("/home");
    }

    @Test
    @DisplayName("Turning it off needs a current code; the password alone signs in again; audited")
    void turnOffNeedsACode() {
        WebSession web = signedIn(owner);
        String secret = startEnrolment(web);
        confirm(web, secret);
        clock().advance(Duration.ofSeconds(30));
        web.post("/profile/two-factor/disable", Map.of("code", "000000".equals(code(secret, 0)) ? "111111" : "000000"));
        assertThat(web.get("/profile/two-factor").body()).contains("id=\"two-factor-on\"");
        web.post("/profile/two-factor/disable", Map.of("code", code(secret, 0)));
        assertThat(web.get("/profile/two-factor").body()).contains("id=\"two-factor-off\"");
        assertThat(new WebSession(port).signIn(owner, PASSWORD)).endsWith("/home");
        assertThat(audited("two_factor.disabled")).isEqualTo(1);
    }

    @Test
    @DisplayName("D-23: the owner requires two-factor sign-in of everyone with access; a collaborator without it enrols on their next request; only the owner sets it")
    void d23OwnerRequiresTwoFactorOfEveryone() {
        String email = uniqueEmail("collab");
        Api.Response invited = master.api().post("/api/v1/invitations",
                "{\"email\":\"" + email + "\",\"accountId\":\"" + master.id() + "\",\"preset\":\"ADMINISTRATOR\"}");
        assertThat(invited.status()).as(invited.body()).isEqualTo(201);
        String link = linkIn(awaitMailTo(email, 1), "/invitations/accept");
        WebSession collaborator = new WebSession(port);
        collaborator.get(link);
        collaborator.post("/invitations/accept", Map.of("token", link.substring(link.indexOf("token=") + 6),
                "name", "Cole", "password", PASSWORD));
        assertThat(collaborator.signIn(email, PASSWORD)).endsWith("/home");
        assertThat(collaborator.get("/home").status()).isEqualTo(200);

        // A collaborator, even an administrator, cannot set the requirement.
        assertThat(collaborator.get("/profile/two-factor").body()).doesNotContain("id=\"two-factor-require\"");
        assertThat(collaborator.post("/profile/two-factor/requirement", Map.of("required", "true")).status())
                .isEqualTo(403);

        WebSession ownerWeb = signedIn(owner);
        assertThat(ownerWeb.post("/profile/two-factor/requirement", Map.of("required", "true")).status()).isEqualTo(302);
        assertThat(audited("two_factor.required")).isEqualTo(1);

        WebSession.Page next = collaborator.get("/contacts");
        assertThat(next.status()).isEqualTo(302);
        assertThat(next.location()).endsWith("/profile/two-factor?required");
        assertThat(collaborator.get("/api/v1/account").status()).isEqualTo(401);
        assertThat(collaborator.get("/profile/two-factor?required").body()).contains("id=\"two-factor-required\"");
        String secret = startEnrolment(collaborator);
        confirm(collaborator, secret);
        assertThat(collaborator.get("/contacts").status()).isEqualTo(200);

        // The owner too is sent to enrol, until they have it.
        assertThat(ownerWeb.get("/home").location()).endsWith("/profile/two-factor?required");
    }

    /**
     * Every test's requests come from 127.0.0.1, whose per-address count (all logins together) is
     * shared by the whole run through the database: this class's deliberate failures are taken back
     * so that they do not throttle another class's sign-ins.
     */
    @org.junit.jupiter.api.AfterEach
    void forgetTheLoopbackAddressCount() {
        jdbc.sql("delete from login_failure where bucket = ?").param(LoginThrottle.addressKey("127.0.0.1")).update();
    }

    private WebSession signedIn(String email) {
        WebSession web = new WebSession(port);
        assertThat(web.signIn(email, PASSWORD)).endsWith("/home");
        web.get("/home"); // the signed-in session's CSRF token
        return web;
    }

    private String startEnrolment(WebSession web) {
        web.get("/profile/two-factor");
        WebSession.Page enrol = web.post("/profile/two-factor/start", Map.of());
        assertThat(enrol.status()).as(enrol.body()).isEqualTo(200);
        return secretIn(enrol.body());
    }

    private List<String> confirm(WebSession web, String secret) {
        WebSession.Page done = web.post("/profile/two-factor/confirm", Map.of("code", code(secret, 0)));
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        List<String> codes = new ArrayList<>();
        Matcher matcher = RECOVERY.matcher(done.body());
        while (matcher.find()) {
            codes.add(matcher.group(1));
        }
        return codes;
    }

    private List<String> enrolWith(WebSession web) {
        return confirm(web, startEnrolment(web));
    }

    private static String secretIn(String body) {
        Matcher matcher = SECRET.matcher(body);
        assertThat(matcher.find()).as(body).isTrue();
        return matcher.group(1);
    }

    /** The RFC 6238 code of the application's present 30-second step, {@code stepsAhead} later. */
    private String code(String secret, int stepsAhead) {
        try {
            long step = clock().instant().getEpochSecond() / 30 + stepsAhead;
            return new DefaultCodeGenerator(HashingAlgorithm.SHA1, 6).generate(secret, step);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String otherThan(String code) {
        return String.format("%06d", (Integer.parseInt(code) + 1) % 1_000_000);
    }

    private long audited(String action) {
        return jdbc.sql("select count(*) from audit_event where action = ? and root_account_id = ?")
                .params(action, UUID.fromString(master.id())).query(Long.class).single();
    }
}
