package io.mailtree.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The session id changes whenever the rights behind it change: at sign-in, at the D-14 switch into
 * a sub-account and back (the grant-change and account-switcher cases are in MembersIntegrationTests,
 * the two-factor step in TwoFactorIntegrationTests). The id from before is worth nothing after.
 */
class SessionRotationIntegrationTests extends MailtreeTestBase {

    private static final String PASSWORD = "rotation-password-1";

    @Test
    @DisplayName("Sign-in rotates the session id: an id handed out before sign-in does not carry the sign-in")
    void signInRotatesTheSessionId() throws Exception {
        Master master = master("pro-5000");
        String owner = ownerOf(master, PASSWORD);
        WebSession web = new WebSession(port);
        web.get("/login");
        String before = web.cookie("JSESSIONID");
        assertThat(before).isNotNull();
        assertThat(web.signIn(owner, PASSWORD)).endsWith("/home");
        assertThat(web.cookie("JSESSIONID")).isNotNull().isNotEqualTo(before);
        assertThat(web.get("/home").status()).isEqualTo(200);
        assertThat(statusWith(before, "/home")).as("the pre-sign-in id").isEqualTo(302);
    }

    @Test
    @DisplayName("D-14: the switch into a sub-account and back each rotate the session id; the old id stays outside")
    void d14SwitchIntoSubaccountAndBackRotateTheSessionId() throws Exception {
        Master master = master("pro-5000");
        String owner = ownerOf(master, PASSWORD);
        String subId = createSubaccount(master.api(), "Rotation shop", uniqueEmail("rot"), null, 500).json()
                .get("subaccount").get("id").asString();
        WebSession web = new WebSession(port);
        assertThat(web.signIn(owner, PASSWORD)).endsWith("/home");
        web.get("/subaccounts");
        String signedIn = web.cookie("JSESSIONID");

        WebSession.Page opened = web.post("/subaccounts/" + subId + "/open", Map.of());
        assertThat(opened.status()).isEqualTo(302);
        String switched = web.cookie("JSESSIONID");
        assertThat(switched).as("switch into the sub-account").isNotEqualTo(signedIn);
        assertThat(web.get("/home").body()).contains("Rotation shop");
        assertThat(statusWith(signedIn, "/home")).isEqualTo(302);

        web.post("/back-to-main", Map.of());
        assertThat(web.cookie("JSESSIONID")).as("back to the master").isNotEqualTo(switched);
        assertThat(statusWith(switched, "/home")).isEqualTo(302);
        assertThat(web.get("/home").status()).isEqualTo(200);
    }

    /** A request with only this session id, as a stolen or fixated cookie would make it. */
    private int statusWith(String sessionId, String path) throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Cookie", "JSESSIONID=" + sessionId).GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
