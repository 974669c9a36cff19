package io.mailtree.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.shared.DomainProblem;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Server-side request forgery: which webhook URLs Mailtree refuses, with the default setting (no
 * private range allowed) and with an operator's allowed range; DNS rebinding (the address checked is
 * the address connected to); and the https context that names the host, not the pinned address.
 */
class WebhookAddressPolicyTests {

    private final WebhookAddressPolicy policy = new WebhookAddressPolicy(List.of(""));

    private static String code(Runnable check) {
        try {
            check.run();
        } catch (DomainProblem problem) {
            return problem.code();
        }
        return null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://10.0.0.1/hook", "http://10.255.255.254/", "http://172.16.0.1/", "http://172.31.255.1/",
            "http://192.168.1.10:8080/x", "http://127.0.0.1/", "http://127.8.9.10/", "http://0.0.0.0/", "http://0.1.2.3/",
            "http://169.254.169.254/latest/meta-data/", "http://169.254.1.1/", "http://100.64.0.1/", "http://100.127.255.255/",
            "http://224.0.0.1/", "http://255.255.255.255/", "http://198.18.0.1/", "http://[::1]/", "http://[::]/",
            "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[fe80::1]/", "http://[ff02::1]/",
            "http://[::ffff:10.0.0.1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/",
            "http://[64:ff9b::a9fe:a9fe]/", "https://192.168.0.1/"})
    void refusesIpLiteralsOfNonPublicRanges(String url) {
        assertThat(code(() -> policy.check(url))).as(url).isEqualTo("webhook_url_forbidden_address");
    }

    @Test
    void refusesTheLocalhostNameAndTheMetadataAddress() {
        assertThat(code(() -> policy.check("http://localhost:8080/hook"))).isEqualTo("webhook_url_forbidden_address");
        assertThat(code(() -> policy.check("http://169.254.169.254/latest/meta-data/iam/")))
                .isEqualTo("webhook_url_forbidden_address");
    }

    @Test
    void refusesCredentialsOtherSchemesAndNonsense() {
        assertThat(code(() -> policy.check("https://user:pass@example.com/hook"))).isEqualTo("webhook_url_credentials");
        assertThat(code(() -> policy.check("https://token@example.com/hook"))).isEqualTo("webhook_url_credentials");
        assertThat(code(() -> policy.check("ftp://example.com/"))).isEqualTo("webhook_url_scheme");
        assertThat(code(() -> policy.check("file:///etc/passwd"))).isEqualTo("webhook_url_scheme");
        assertThat(code(() -> policy.check("gopher://127.0.0.1:6379/"))).isEqualTo("webhook_url_scheme");
        assertThat(code(() -> policy.check("example.com/hook"))).isEqualTo("webhook_url_scheme");
        assertThat(code(() -> policy.check("http:///nohost"))).isEqualTo("webhook_url_invalid");
        assertThat(code(() -> policy.check(""))).isEqualTo("webhook_url_invalid");
        assertThat(code(() -> policy.check("http://exa mple.com/"))).isEqualTo("webhook_url_invalid");
        assertThat(code(() -> policy.check("http://example.com/" + "a".repeat(2000)))).isEqualTo("webhook_url_invalid");
    }

    @Test
    void acceptsPublicAddressesAndConnectsToTheOneChecked() throws Exception {
        WebhookAddressPolicy resolving = new WebhookAddressPolicy(List.of(),
                host -> new InetAddress[] {InetAddress.getByName("93.184.215.14")});
        WebhookAddressPolicy.Target target = resolving.check("https://hooks.example.com/in?x=1");
        assertThat(target.address().getHostAddress()).isEqualTo("93.184.215.14");
        assertThat(target.host()).isEqualTo("hooks.example.com");
        assertThat(target.port()).isEqualTo(443);
        assertThat(target.https()).isTrue();
        assertThat(policy.check("http://8.8.8.8:8080/").port()).isEqualTo(8080);
        assertThat(policy.check("http://[2606:4700::1111]/").address().getHostAddress()).startsWith("2606:4700");
    }

    @Test
    void aNameWithOnePrivateAddressAmongPublicOnesIsRefused() {
        WebhookAddressPolicy resolving = new WebhookAddressPolicy(List.of(), host -> new InetAddress[] {
                InetAddress.getByName("93.184.215.14"), InetAddress.getByName("10.0.0.7")});
        assertThat(code(() -> resolving.check("https://mixed.example.com/"))).isEqualTo("webhook_url_forbidden_address");
    }

    /** A name that resolved to a public address when saved and to a private one at send time is refused then. */
    @Test
    void dnsRebindingIsRefusedAtSendTime() {
        AtomicInteger lookups = new AtomicInteger();
        WebhookAddressPolicy rebinding = new WebhookAddressPolicy(List.of(), host -> new InetAddress[] {
                InetAddress.getByName(lookups.getAndIncrement() == 0 ? "93.184.215.14" : "169.254.169.254")});
        assertThat(rebinding.check("https://rebind.example.com/").address().getHostAddress()).isEqualTo("93.184.215.14");
        assertThat(code(() -> rebinding.check("https://rebind.example.com/"))).isEqualTo("webhook_url_forbidden_address");
        assertThat(lookups).hasValue(2);
    }

    @Test
    void theOperatorCanAllowChosenPrivateRangesOnly() {
        WebhookAddressPolicy allowing = new WebhookAddressPolicy(List.of("10.20.0.0/16", " fd00:1::/32 "));
        assertThat(allowing.check("http://10.20.3.4/").address().getHostAddress()).isEqualTo("10.20.3.4");
        assertThat(allowing.check("http://[::ffff:10.20.3.4]/").host()).isEqualTo("::ffff:10.20.3.4");
        assertThat(allowing.check("http://[fd00:1::5]/").https()).isFalse();
        assertThat(code(() -> allowing.check("http://10.21.0.1/"))).isEqualTo("webhook_url_forbidden_address");
        assertThat(code(() -> allowing.check("http://127.0.0.1/"))).isEqualTo("webhook_url_forbidden_address");
        assertThat(code(() -> allowing.check("http://169.254.169.254/"))).isEqualTo("webhook_url_forbidden_address");
    }

    @Test
    void aMistypedRangeStopsTheStart() {
        assertThatThrownBy(() -> new WebhookAddressPolicy(List.of("10.0.0.0/33")))
                .hasMessageContaining("allow-private-networks");
        assertThatThrownBy(() -> new WebhookAddressPolicy(List.of("intranet.example/8")))
                .hasMessageContaining("allow-private-networks");
    }

    /** The request goes to the IP literal; its TLS engine is made for the host, so SNI and the certificate check name it. */
    @Test
    void httpsEnginesAreMadeForTheHostNotThePinnedAddress() {
        SSLContext context = PinnedHttp.HostNamedSslContext.of("hooks.example.com");
        SSLEngine engine = context.createSSLEngine("93.184.215.14", 443);
        assertThat(engine.getPeerHost()).isEqualTo("hooks.example.com");
        assertThat(engine.getPeerPort()).isEqualTo(443);
    }

    /** The Standard Webhooks specification's own example (secret, id, timestamp, payload and signature). */
    @Test
    void signsLikeTheSpecificationsExample() {
        assertThat(WebhookSignatures.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330L, "{\"test\": 2432232314}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        String secret = WebhookSignatures.newSecret();
        assertThat(secret).startsWith("whsec_");
        assertThat(java.util.Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
    }
}
