package io.mailtree.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MutableClock;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * The account-takeover and lock-out holes of the security review, closed: a Mailtree on its default
 * transport (the development mailbox, no relay) on PostgreSQL, behind a reverse proxy on the same
 * host ({@code server.forward-headers-strategy=native}, the proxy on loopback naming each visitor in
 * X-Forwarded-For). Every request of these tests comes from loopback; the headers say who it is for.
 *
 * <p>The class runs its own context in a schema of its own ({@value #SCHEMA}): the system-mail
 * dispatchers of the other test classes' cached contexts (relay: GreenMail) share
 * {@code mailtree_it} and would otherwise deliver this class's mail, and this one theirs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "spring.datasource.hikari.schema=" + HardeningIntegrationTests.SCHEMA,
    "spring.flyway.schemas=" + HardeningIntegrationTests.SCHEMA,
    "spring.flyway.default-schema=" + HardeningIntegrationTests.SCHEMA,
    "mailtree.data-dir=target/hardening-it-data",
    "mailtree.relay.host=", "mailtree.submission-port=0", "mailtree.inbound-port=0",
    "server.forward-headers-strategy=native"})
@ActiveProfiles("it")
@Import(HardeningIntegrationTests.OwnSchema.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class HardeningIntegrationTests {

    static final String SCHEMA = "mailtree_hardening";
    private static final String OPERATOR = "operator@mailtree.test";
    private static final String OPERATOR_PASSWORD = "operator-password-123";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** This class's schema rebuilt from the migrations, and the tests' movable clock. */
    @TestConfiguration(proxyBeanMethods = false)
    static class OwnSchema {

        @Bean
        FlywayMigrationStrategy cleanThenMigrate() {
            return flyway -> {
                flyway.clean();
                flyway.migrate();
            };
        }

        @Bean
        @Primary
        MutableClock testClock() {
            return TestInfrastructure.CLOCK;
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @AfterEach
    void resetClock() {
        TestInfrastructure.CLOCK.reset();
    }

    // --- 1. the development mailbox ------------------------------------------------------------

    @Test
    @DisplayName("Takeover refused: a stranger behind the proxy asks a victim's reset and cannot read the mailbox")
    void anonymousTakeoverThroughTheMailboxIsRefused() {
        String victim = signedUpAndVerified("victim");
        WebSession stranger = new WebSession(port).header("X-Forwarded-For", "203.0.113.66");
        stranger.get("/forgot-password");
        assertThat(stranger.post("/forgot-password", Map.of("email", victim)).body()).contains("link is on its way");
        String resetMail = awaitMailbox(victim, "/reset-password");
        assertThat(resetMail).as("the reset mail was captured").contains("/reset-password?token=");

        WebSession.Page mailbox = stranger.get("/dev/mailbox?to=" + victim);
        assertThat(mailbox.status()).isNotEqualTo(200);
        assertThat(mailbox.body()).doesNotContain("/reset-password?token=");
        // Nor with the other forwarding headers, which Tomcat does not rewrite into the remote address.
        for (Map.Entry<String, String> header : Map.of("Forwarded", "for=203.0.113.66", "X-Real-IP", "203.0.113.66",
                "X-Forwarded-Host", "mail.example.com").entrySet()) {
            WebSession.Page viaProxy = new WebSession(port).header(header.getKey(), header.getValue())
                    .get("/dev/mailbox?to=" + victim);
            assertThat(viaProxy.status()).as(header.getKey()).isNotEqualTo(200);
            assertThat(viaProxy.body()).doesNotContain("/reset-password?token=");
        }
        // A signed-in account user is no operator either.
        WebSession user = new WebSession(port).header("X-Forwarded-For", "203.0.113.67");
        String other = signedUpAndVerified("curious");
        user.signIn(other, "correct-horse-battery");
        WebSession.Page asUser = user.get("/dev/mailbox?to=" + victim);
        assertThat(asUser.status()).isEqualTo(403);
        assertThat(asUser.body()).doesNotContain("/reset-password?token=");
    }

    @Test
    @DisplayName("The signed-in operator reads the mailbox from anywhere; a direct local request does too")
    void operatorAndLocalMachineReadTheMailbox() {
        String owner = signedUpAndVerified("reader");
        awaitMailbox(owner, "/verify");
        WebSession operator = new WebSession(port).header("X-Forwarded-For", "198.51.100.20");
        assertThat(operatorSignsIn(operator)).isTrue();
        WebSession.Page page = operator.get("/dev/mailbox?to=" + owner);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("/verify?token=");

        WebSession.Page local = new WebSession(port).get("/dev/mailbox?to=" + owner);
        assertThat(local.status()).isEqualTo(200);
        assertThat(local.body()).contains("/verify?token=");
    }

    @Test
    @DisplayName("While the development mailbox is the transport, every page carries a banner")
    void bannerOnEveryPage() {
        WebSession anyone = new WebSession(port).header("X-Forwarded-For", "203.0.113.68");
        for (String path : List.of("/login", "/signup", "/forgot-password", "/verify?token=garbage")) {
            assertThat(anyone.get(path).body()).as(path).contains("id=\"dev-mailbox-banner\"")
                    .contains("Mailtree sends no real e-mail");
        }
        assertThat(anyone.get("/login?lang=fr").body()).contains("aucun véritable e-mail");
        assertThat(anyone.get("/login?lang=ja").body()).contains("実際のメールを送信しません");
    }

    // --- 5. the operator's login -----------------------------------------------------------------

    @Test
    @DisplayName("The operator's address is refused at sign-up, as a sub-account owner and by provisioning")
    void operatorAddressIsRefusedEverywhere() {
        WebSession web = new WebSession(port).header("X-Forwarded-For", "203.0.113.69");
        web.get("/signup");
        WebSession.Page taken = web.post("/signup", Map.of("name", "Squatter", "email", "Operator@Mailtree.Test",
                "password", "correct-horse-battery"));
        assertThat(taken.status()).isEqualTo(200);
        assertThat(taken.body()).contains("already in use");

        Api provisioning = Api.operator(port, "test-operator-token");
        Api.Response provisioned = provisioning.post("/api/platform/v1/masters",
                "{\"name\":\"Squat master\",\"ownerEmail\":\"" + OPERATOR + "\",\"plan\":\"lite-1000\"}");
        assertThat(provisioned.status()).isEqualTo(409);
        assertThat(provisioned.code()).isEqualTo("login_email_taken");

        JsonNode master = provisioning.post("/api/platform/v1/masters", "{\"name\":\"Honest master "
                + SEQUENCE.incrementAndGet() + "\",\"ownerEmail\":\"" + unique("honest") + "\",\"plan\":\"lite-1000\"}")
                .json();
        Api.Response sub = Api.withKey(port, master.get("apiKey")).post("/api/v1/subaccounts",
                "{\"name\":\"Squat sub\",\"ownerEmail\":\"" + OPERATOR + "\",\"contactAllocation\":500}");
        assertThat(sub.status()).isEqualTo(409);
        assertThat(sub.code()).isEqualTo("login_email_taken");

        assertThat(jdbc.sql("select count(*) from app_user where email_key = ?").param(OPERATOR).query(Long.class)
                .single()).isZero();
        assertThat(jdbc.sql("select count(*) from account where name in ('Squatter', 'Squat master', 'Squat sub')")
                .query(Long.class).single()).isZero();
        assertThat(operatorSignsIn(new WebSession(port).header("X-Forwarded-For", "203.0.113.69"))).isTrue();
    }

    @Test
    @DisplayName("Behind the proxy each client has its own throttle: failures from one do not lock the operator out")
    void failuresFromOneClientDoNotLockOthersOut() {
        for (int i = 0; i < 6; i++) {
            assertThat(new WebSession(port).header("X-Forwarded-For", "203.0.113.70").signIn(OPERATOR, "guess-" + i))
                    .contains("error=");
        }
        assertThat(new WebSession(port).header("X-Forwarded-For", "203.0.113.70").signIn(OPERATOR, OPERATOR_PASSWORD))
                .contains("error=throttled");
        assertThat(operatorSignsIn(new WebSession(port).header("X-Forwarded-For", "198.51.100.21"))).isTrue();
        // The guesser's wait grows rather than locking for a fixed quarter of an hour.
        TestInfrastructure.CLOCK.advance(Duration.ofSeconds(31));
        assertThat(operatorSignsIn(new WebSession(port).header("X-Forwarded-For", "203.0.113.70"))).isTrue();
    }

    // --- 9. confirmation by POST and mail limits ---------------------------------------------------

    @Test
    @DisplayName("Forgot-password is limited per address and per client, with the same page for unknown addresses")
    void forgotPasswordIsLimited() {
        String known = signedUpAndVerified("bombed");
        String unknown = unique("nobody");
        WebSession bomber = new WebSession(port).header("X-Forwarded-For", "203.0.113.71");
        bomber.get("/forgot-password");
        for (int i = 0; i < 3; i++) {
            assertThat(bomber.post("/forgot-password", Map.of("email", known)).body()).contains("link is on its way");
            assertThat(bomber.post("/forgot-password", Map.of("email", unknown)).body()).contains("link is on its way");
        }
        String refusedKnown = bomber.post("/forgot-password", Map.of("email", known)).body();
        String refusedUnknown = bomber.post("/forgot-password", Map.of("email", unknown)).body();
        assertThat(refusedKnown).contains("Too many e-mails were asked").doesNotContain("link is on its way");
        assertThat(messageOf(refusedUnknown)).isEqualTo(messageOf(refusedKnown));
        awaitMailbox(known, "/reset-password");
        sleep(500);
        assertThat(mailboxCount(known, "%reset-password%")).isEqualTo(3);

        // One client asking for many addresses.
        WebSession sprayer = new WebSession(port).header("X-Forwarded-For", "203.0.113.72");
        sprayer.get("/forgot-password");
        for (int i = 0; i < 20; i++) {
            assertThat(sprayer.post("/forgot-password", Map.of("email", unique("spray"))).body())
                    .contains("link is on its way");
        }
        assertThat(sprayer.post("/forgot-password", Map.of("email", unique("spray"))).body())
                .contains("Too many e-mails were asked");
        // Another client is not affected, and the window passes.
        WebSession other = new WebSession(port).header("X-Forwarded-For", "203.0.113.73");
        other.get("/forgot-password");
        assertThat(other.post("/forgot-password", Map.of("email", unique("spray"))).body()).contains("link is on its way");
        TestInfrastructure.CLOCK.advance(Duration.ofMinutes(16));
        assertThat(bomber.post("/forgot-password", Map.of("email", known)).body()).contains("link is on its way");
    }

    @Test
    @DisplayName("D-1: verification resend is limited per address, with a clear message")
    void d1VerificationResendIsLimited() {
        String email = unique("resender");
        WebSession web = new WebSession(port).header("X-Forwarded-For", "203.0.113.74");
        web.get("/signup");
        web.post("/signup", Map.of("name", "Resend Co", "email", email, "password", "correct-horse-battery"));
        web.get("/check-email");
        for (int i = 0; i < 3; i++) {
            assertThat(web.post("/resend-verification", Map.of()).body()).contains("A new link is on its way");
        }
        String refused = web.post("/resend-verification", Map.of()).body();
        assertThat(refused).contains("Too many e-mails were asked").doesNotContain("A new link is on its way");
    }

    @Test
    @DisplayName("Sender confirmation: resending is limited (429 with a code), and opening the link confirms nothing")
    void senderConfirmationIsLimitedAndNeedsThePost() {
        JsonNode created = Api.operator(port, "test-operator-token").post("/api/platform/v1/masters",
                "{\"name\":\"Sender master " + SEQUENCE.incrementAndGet() + "\",\"ownerEmail\":\"" + unique("sm")
                        + "\",\"plan\":\"pro-1000\"}").json();
        Api master = Api.withKey(port, created.get("apiKey"));
        String address = "news-" + UUID.randomUUID().toString().substring(0, 6) + "@example.test";
        long id = master.post("/api/v1/senders", "{\"email\":\"" + address + "\"}").json().get("id").asLong();
        assertThat(master.post("/api/v1/senders/" + id + "/resend", null).status()).isLessThan(300);
        assertThat(master.post("/api/v1/senders/" + id + "/resend", null).status()).isLessThan(300);
        Api.Response limited = master.post("/api/v1/senders/" + id + "/resend", null);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.code()).isEqualTo("too_many_mail_requests");
        // Removing and adding the address again does not get round it, and the refused add leaves nothing.
        assertThat(master.send("DELETE", "/api/v1/senders/" + id, null).status()).isLessThan(300);
        Api.Response again = master.post("/api/v1/senders", "{\"email\":\"" + address + "\"}");
        assertThat(again.status()).isEqualTo(429);
        assertThat(jdbc.sql("select count(*) from sender where email = ?").param(address).query(Long.class).single())
                .isZero();
    }

    // --- 10. sessions after a password reset -------------------------------------------------------

    @Test
    @DisplayName("A password reset ends the user's other sessions")
    void passwordResetEndsOtherSessions() {
        String email = signedUpAndVerified("reset");
        WebSession stolen = new WebSession(port).header("X-Forwarded-For", "203.0.113.75");
        assertThat(stolen.signIn(email, "correct-horse-battery")).endsWith("/home");
        assertThat(stolen.get("/home").status()).isEqualTo(200);

        WebSession owner = new WebSession(port).header("X-Forwarded-For", "198.51.100.22");
        owner.get("/forgot-password");
        owner.post("/forgot-password", Map.of("email", email));
        String link = extract(awaitMailbox(email, "/reset-password"), "(/reset-password\\?token=[A-Za-z0-9_.\\-]+)");
        owner.get(link);
        assertThat(owner.post("/reset-password", Map.of("token", link.substring(link.indexOf("token=") + 6),
                "password", "a-brand-new-password")).path()).isEqualTo("/login?passwordChanged");

        WebSession.Page after = stolen.get("/home");
        assertThat(after.status()).isEqualTo(302);
        assertThat(after.path()).startsWith("/login");
        assertThat(stolen.get("/home").path()).startsWith("/login");
        WebSession fresh = new WebSession(port).header("X-Forwarded-For", "198.51.100.22");
        assertThat(fresh.signIn(email, "a-brand-new-password")).endsWith("/home");
        assertThat(fresh.get("/home").status()).isEqualTo(200);
    }

    // --- helpers -----------------------------------------------------------------------------------

    /** Whether the operator's sign-in succeeds in this session and opens the console. */
    private static boolean operatorSignsIn(WebSession session) {
        return !session.signIn(OPERATOR, OPERATOR_PASSWORD).contains("error") && session.get("/platform").status() == 200;
    }

    /** Signs up through the pages and confirms the address; answers the login e-mail. */
    private String signedUpAndVerified(String who) {
        String email = unique(who);
        WebSession web = new WebSession(port);
        web.get("/signup");
        assertThat(web.post("/signup", Map.of("name", "Co " + who, "email", email, "password",
                "correct-horse-battery")).path()).isEqualTo("/check-email");
        String link = extract(awaitMailbox(email, "/verify"), "(/verify\\?token=[A-Za-z0-9_.\\-]+)");
        web.confirm(link);
        assertThat(jdbc.sql("""
                select count(*) from account a join app_user u on u.account_id = a.id
                where u.email_key = ? and a.verified_at is not null""").param(email.toLowerCase()).query(Long.class)
                .single()).as("verified").isEqualTo(1);
        return email;
    }

    /** The newest captured message to {@code recipient} holding {@code path}; fails after ten seconds. */
    private String awaitMailbox(String recipient, String path) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            var text = jdbc.sql("""
                    select body_text from dev_mailbox_message where lower(recipient) = lower(?) and body_text like ?
                    order by id desc limit 1""").params(recipient, "%" + path + "?token=%").query(String.class)
                    .optional();
            if (text.isPresent()) {
                return text.get();
            }
            sleep(50);
        }
        throw new AssertionError("no " + path + " mail to " + recipient + " in the development mailbox");
    }

    private long mailboxCount(String recipient, String like) {
        return jdbc.sql("select count(*) from dev_mailbox_message where lower(recipient) = lower(?) and body_text like ?")
                .params(recipient, like).query(Long.class).single();
    }

    private static String messageOf(String page) {
        Matcher matcher = Pattern.compile("class=\"problem\" role=\"alert\"[^>]*>([^<]*)<").matcher(page);
        return matcher.find() ? matcher.group(1) : null;
    }

    private static String extract(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("%s in %s", regex, text).isTrue();
        return matcher.group(1);
    }

    private static String unique(String who) {
        return who + "-" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8)
                + "@example.test";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
