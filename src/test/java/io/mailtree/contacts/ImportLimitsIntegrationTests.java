package io.mailtree.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.SmtpRelayInitializer;
import io.mailtree.support.TestInfrastructure;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;
import tools.jackson.databind.JsonNode;

/**
 * Oversized uploads, with the limits turned down so the test need not send gigabytes: over the
 * import limit, and over the multipart limit, both answer 413 with a code and store nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "mailtree.imports.max-bytes=2000", "spring.servlet.multipart.max-file-size=5000",
    "spring.servlet.multipart.max-request-size=6000"})
@ActiveProfiles("it")
@Import(TestInfrastructure.class)
@ContextConfiguration(initializers = SmtpRelayInitializer.class)
class ImportLimitsIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Test
    @DisplayName("A file over the import limit, or over the upload limit, answers 413 and imports nothing")
    void oversizedFilesAreRefused() {
        JsonNode created = Api.operator(port, "test-operator-token").post("/api/platform/v1/masters",
                "{\"name\":\"Limits\",\"ownerEmail\":\"limits-" + UUID.randomUUID().toString().substring(0, 8)
                        + "@example.test\",\"plan\":\"lite-5000\"}").json();
        Api api = Api.withKey(port, created.get("apiKey"));
        String masterId = created.get("master").get("id").asString();

        Api.Response overImportLimit = api.postMultipart("/api/v1/imports", Map.of(), "big.csv",
                ("email\n" + "someone@example.test\n".repeat(150)).getBytes());
        assertThat(overImportLimit.status()).isEqualTo(413);
        assertThat(overImportLimit.code()).isEqualTo("file_too_large");

        Api.Response overUploadLimit = api.postMultipart("/api/v1/imports", Map.of(), "huge.csv",
                ("email\n" + "someone@example.test\n".repeat(1000)).getBytes());
        assertThat(overUploadLimit.status()).isEqualTo(413);
        assertThat(overUploadLimit.code()).isEqualTo("payload_too_large");

        assertThat(jdbc.sql("select count(*) from contact_import where account_id = ?").param(UUID.fromString(masterId))
                .query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from contact where account_id = ?").param(UUID.fromString(masterId))
                .query(Long.class).single()).isZero();
    }
}
