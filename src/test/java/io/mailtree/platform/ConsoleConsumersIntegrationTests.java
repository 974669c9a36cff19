package io.mailtree.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The operator console shows each outcome consumer's lag, in the operator's language (ADR 0010). */
class ConsoleConsumersIntegrationTests extends MailtreeTestBase {

    @Test
    @DisplayName("The console lists every outcome consumer with its lag, in English, French and Japanese")
    void consoleShowsConsumerLag() {
        WebSession operator = new WebSession(port);
        operator.signIn("operator@mailtree.test", "operator-password-123");
        String english = operator.get("/platform?lang=en").body();
        assertThat(english).contains("id=\"consumers\"").contains("data-consumer=\"contacts.suppressions\"")
                .contains("data-consumer=\"accounts.last-send\"")
                .contains("data-consumer=\"tracking.webhooks\"").contains("Events behind");
        assertThat(operator.get("/platform?lang=fr").body()).contains("Consommateurs des résultats d&#39;envoi")
                .contains("Événements en attente");
        assertThat(operator.get("/platform?lang=ja").body()).contains("配信結果のコンシューマー").contains("未処理イベント");
    }

    @Test
    @DisplayName("Each consumer's lag is a Prometheus gauge: events behind and seconds behind")
    void lagIsAMetric() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        String metrics = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                        .header("Authorization", "Bearer " + OPERATOR_TOKEN).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (String consumer : new String[] {"contacts.suppressions", "accounts.last-send", "tracking.webhooks"}) {
            for (String gauge : new String[] {"mailtree_outcomes_lag_events", "mailtree_outcomes_lag_seconds"}) {
                assertThat(metrics).containsPattern(gauge + "\\{[^}]*consumer=\"" + consumer.replace(".", "\\.")
                        + "\"[^}]*\\} [0-9.E]+");
            }
        }
    }

    @Test
    @DisplayName("Only the operator sees the console's consumer table")
    void consumersAreForTheOperatorOnly() {
        WebSession stranger = new WebSession(port);
        WebSession.Page page = stranger.get("/platform");
        assertThat(page.status()).isIn(302, 401, 403);
        assertThat(page.body()).doesNotContain("data-consumer");
    }
}
