package io.mailtree.onboarding;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** D-1: sign-up is complete only after the owner confirms the verification e-mail. */
class SignUpIntegrationTests extends MailtreeTestBase {

    @Test
    @DisplayName("D-1: sign-up sends a signed link; until it is followed the account reaches only 'check your e-mail'")
    void d1SignUpNeedsVerification() {
        String email = uniqueEmail("signup");
        WebSession web = new WebSession(port);
        web.get("/signup");
        WebSession.Page signedUp = web.post("/signup", Map.of("name", "Fresh Co", "email", email,
                "password", "correct-horse-battery"));
        assertThat(signedUp.path()).isEqualTo("/check-email");
        assertThat(web.get("/check-email").body()).contains(email);

        WebSession.Page home = web.get("/home");
        assertThat(home.status()).isEqualTo(302);
        assertThat(home.path()).isEqualTo("/check-email");
        assertThat(verifiedAt(email)).isNull();
        assertThat(planOf(email)).isEqualTo("free");

        String link = linkIn(awaitMailTo(email, 1), "/verify");
        // A link scanner's GET confirms nothing: the page asks for the button, whose POST carries a CSRF token.
        WebSession.Page opened = web.get(link);
        assertThat(opened.status()).isEqualTo(200);
        assertThat(opened.body()).contains("id=\"verify-submit\"");
        assertThat(verifiedAt(email)).isNull();
        assertThat(web.postRaw("/verify", Map.of("token", link.substring(link.indexOf("token=") + 6))).status())
                .as("without the CSRF token").isEqualTo(403);
        assertThat(verifiedAt(email)).isNull();
        assertThat(web.confirm(link).path()).isEqualTo("/login?verified");
        assertThat(verifiedAt(email)).isNotNull();
        assertThat(web.get("/home").status()).isEqualTo(200);
    }

    @Test
    @DisplayName("D-1: the link expires after 24 hours; a new one can be sent")
    void d1LinkExpiresAndCanBeResent() {
        String email = uniqueEmail("late");
        WebSession web = new WebSession(port);
        web.get("/signup");
        web.post("/signup", Map.of("name", "Late Co", "email", email, "password", "correct-horse-battery"));
        String first = linkIn(awaitMailTo(email, 1), "/verify");

        advanceClock(Duration.ofHours(24).plusMinutes(1));
        WebSession.Page expired = web.get(first);
        assertThat(expired.status()).isEqualTo(200);
        assertThat(expired.body()).contains("invalid or has expired");
        assertThat(verifiedAt(email)).isNull();

        web.get("/check-email");
        web.post("/resend-verification", Map.of());
        String second = linkIn(awaitMailTo(email, 2), "/verify");
        assertThat(web.confirm(second).path()).isEqualTo("/login?verified");
        assertThat(verifiedAt(email)).isNotNull();
    }

    @Test
    @DisplayName("D-1: a forged or altered link verifies nothing")
    void d1ForgedLink() {
        String email = uniqueEmail("forged");
        WebSession web = new WebSession(port);
        web.get("/signup");
        web.post("/signup", Map.of("name", "Forged Co", "email", email, "password", "correct-horse-battery"));
        String link = linkIn(awaitMailTo(email, 1), "/verify");
        String altered = link.substring(0, link.length() - 2) + (link.endsWith("AA") ? "BB" : "AA");
        assertThat(web.get(altered).body()).contains("invalid or has expired");
        assertThat(web.get("/verify?token=garbage").body()).contains("invalid or has expired");
        assertThat(verifiedAt(email)).isNull();
    }

    @Test
    @DisplayName("Sign-up with a taken e-mail, a short password or no name is refused with a message, nothing created")
    void signUpBadInput() {
        String email = uniqueEmail("dupe");
        WebSession web = new WebSession(port);
        web.get("/signup");
        web.post("/signup", Map.of("name", "Dupe Co", "email", email, "password", "correct-horse-battery"));

        WebSession other = new WebSession(port);
        other.get("/signup");
        WebSession.Page taken = other.post("/signup", Map.of("name", "Dupe 2", "email", email, "password",
                "correct-horse-battery"));
        assertThat(taken.status()).isEqualTo(200);
        assertThat(taken.body()).contains("already in use");
        WebSession.Page shortPassword = other.post("/signup", Map.of("name", "Short", "email", uniqueEmail("s"),
                "password", "short"));
        assertThat(shortPassword.body()).contains("between 10 and 128");
        WebSession.Page noName = other.post("/signup", Map.of("name", " ", "email", uniqueEmail("n"),
                "password", "correct-horse-battery"));
        assertThat(noName.body()).contains("1 to 100 characters");
        assertThat(jdbc.sql("select count(*) from account where name in ('Dupe 2', 'Short')").query(Long.class).single())
                .isZero();
    }

    @Test
    @DisplayName("A forgotten password is reset through a link that works once")
    void passwordReset() {
        String email = uniqueEmail("forgot");
        WebSession web = new WebSession(port);
        web.get("/signup");
        web.post("/signup", Map.of("name", "Forgetful Co", "email", email, "password", "correct-horse-battery"));
        web.confirm(linkIn(awaitMailTo(email, 1), "/verify"));

        WebSession anonymous = new WebSession(port);
        anonymous.get("/forgot-password");
        assertThat(anonymous.post("/forgot-password", Map.of("email", email)).body()).contains("link is on its way");
        String link = linkIn(awaitMailTo(email, 2), "/reset-password");
        String token = link.substring(link.indexOf("token=") + 6);
        anonymous.get(link);
        assertThat(anonymous.post("/reset-password", Map.of("token", token, "password", "a-brand-new-password")).path())
                .isEqualTo("/login?passwordChanged");
        anonymous.get(link);
        assertThat(anonymous.post("/reset-password", Map.of("token", token, "password", "another-new-password")).body())
                .contains("invalid, used or expired");

        assertThat(new WebSession(port).signIn(email, "correct-horse-battery")).contains("/login?error=bad");
        assertThat(new WebSession(port).signIn(email, "a-brand-new-password")).endsWith("/home");
    }

    @Test
    @DisplayName("Sign-in is throttled after five failures, even with the right password")
    void signInThrottled() {
        String email = uniqueEmail("throttle");
        WebSession web = new WebSession(port);
        web.get("/signup");
        web.post("/signup", Map.of("name", "Throttled Co", "email", email, "password", "correct-horse-battery"));
        for (int i = 0; i < 5; i++) {
            assertThat(new WebSession(port).signIn(email, "wrong-password-" + i)).contains("error=bad");
        }
        assertThat(new WebSession(port).signIn(email, "correct-horse-battery")).contains("error=throttled");
        advanceClock(Duration.ofMinutes(16));
        assertThat(new WebSession(port).signIn(email, "correct-horse-battery")).doesNotContain("error");
    }

    @Test
    @DisplayName("With an SMTP relay configured the pages carry no development-mailbox banner, and the mailbox is gone")
    void noDevMailboxBannerWithARelay() {
        WebSession web = new WebSession(port);
        assertThat(web.get("/login").body()).contains("id=\"sign-in\"").doesNotContain("dev-mailbox-banner");
        assertThat(web.get("/dev/mailbox").status()).isEqualTo(404);
    }

    private Object verifiedAt(String email) {
        UUID account = jdbc.sql("select account_id from app_user where email_key = ?").param(email.toLowerCase())
                .query(UUID.class).single();
        return jdbc.sql("select verified_at from account where id = ?").param(account)
                .query((rs, n) -> java.util.Optional.ofNullable(rs.getObject(1))).single().orElse(null);
    }

    private String planOf(String email) {
        return jdbc.sql("select a.plan_code from account a join app_user u on u.account_id = a.id where u.email_key = ?")
                .param(email.toLowerCase()).query(String.class).single();
    }
}
