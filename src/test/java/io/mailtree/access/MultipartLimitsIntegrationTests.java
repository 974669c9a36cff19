package io.mailtree.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Multipart requests are bounded before anything reads them: 1 MB everywhere, more only on the
 * upload endpoints for a signed-in caller.
 */
class MultipartLimitsIntegrationTests extends MailtreeTestBase {

    private static final byte[] TWO_MEGABYTES = csv(2 * 1024 * 1024);

    private static byte[] csv(int size) {
        StringBuilder csv = new StringBuilder("email\n");
        for (int i = 0; csv.length() < size; i++) {
            csv.append("contact").append(i).append("@example.test\n");
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("An anonymous 2 MB multipart POST to a page or an upload page is refused with 413, unread")
    void anonymousLargeMultipartIsRefused() {
        Api anonymous = Api.anonymous(port);
        for (String path : new String[] {"/login", "/signup", "/imports/new", "/images"}) {
            Api.Response refused = anonymous.postMultipart(path, Map.of(), "big.csv", TWO_MEGABYTES);
            assertThat(refused.status()).as(path).isEqualTo(413);
            assertThat(refused.code()).isEqualTo("payload_too_large");
        }
    }

    @Test
    @DisplayName("An anonymous multipart POST without a Content-Length is refused with 411")
    void anonymousChunkedMultipartIsRefused() throws Exception {
        HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/login"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "multipart/form-data; boundary=x")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(TWO_MEGABYTES))).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(chunked, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(411);
        assertThat(response.body()).contains("length_required");
    }

    @Test
    @DisplayName("A signed-in caller still imports a 2 MB file; other endpoints keep the 1 MB limit")
    void signedInUploadsKeepTheirOwnLimit() {
        Api api = master("pro-100000").api();
        Api.Response imported = api.postMultipart("/api/v1/imports", Map.of(), "contacts.csv", TWO_MEGABYTES);
        assertThat(imported.status()).as(imported.toString()).isEqualTo(202);
        Api.Response elsewhere = api.postMultipart("/api/v1/contacts", Map.of(), "contacts.csv", TWO_MEGABYTES);
        assertThat(elsewhere.status()).isEqualTo(413);
        assertThat(elsewhere.code()).isEqualTo("payload_too_large");
        Api.Response small = api.postMultipart("/api/v1/templates", Map.of("name", "Small"), "mail.html",
                "<p>small</p>".getBytes(StandardCharsets.UTF_8));
        assertThat(small.status()).isEqualTo(201);
    }
}
