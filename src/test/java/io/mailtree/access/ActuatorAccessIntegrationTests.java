package io.mailtree.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Actuator endpoints but health answer only the operator's token. */
class ActuatorAccessIntegrationTests extends MailtreeTestBase {

    @Test
    @DisplayName("Prometheus metrics need the operator token; health stays public for probes")
    void metricsBehindOperatorToken() {
        assertThat(Api.anonymous(port).get("/actuator/health").status()).isEqualTo(200);
        Api.Response anonymous = Api.anonymous(port).get("/actuator/prometheus");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.body()).doesNotContain("jvm_");
        assertThat(Api.operator(port, "wrong-token").get("/actuator/prometheus").status()).isEqualTo(401);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        try {
            var response = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                    .header("Authorization", "Bearer " + OPERATOR_TOKEN).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("jvm_");
        } catch (Exception failure) {
            throw new AssertionError(failure);
        }
    }
}
