package io.mailtree.content;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Tenancy of an e-mail's template, and creates that answer their own row under concurrency. */
class ContentHardeningIntegrationTests extends ContentTestSupport {

    @Test
    @DisplayName("PATCH of an e-mail with another account's templateId answers 404 and changes nothing")
    void patchWithAnotherAccountsTemplateIsNotFound() {
        Api owner = master("pro-1000").api();
        Api intruder = master("pro-1000").api();
        long foreign = owner.post("/api/v1/templates", "{\"name\":\"Theirs\",\"html\":\"<p>x</p>\"}").json().get("id")
                .asLong();
        long email = intruder.post("/api/v1/emails", "{\"name\":\"Mine\"}").json().get("id").asLong();

        Api.Response patched = intruder.patch("/api/v1/emails/" + email, "{\"templateId\":" + foreign
                + ",\"name\":\"Renamed\"}");
        assertThat(patched.status()).isEqualTo(404);
        assertThat(patched.code()).isEqualTo("template_not_found");
        JsonNode unchanged = intruder.get("/api/v1/emails/" + email).json();
        assertThat(unchanged.path("templateId").isIntegralNumber()).as(unchanged.toString()).isFalse();
        assertThat(unchanged.get("name").asString()).isEqualTo("Mine");
        long own = intruder.post("/api/v1/templates", "{\"name\":\"Own\",\"html\":\"<p>y</p>\"}").json().get("id").asLong();
        assertThat(intruder.patch("/api/v1/emails/" + email, "{\"templateId\":" + own + "}").json().get("templateId")
                .asLong()).isEqualTo(own);
    }

    @Test
    @DisplayName("Templates, e-mails and lists created at once in one account each answer their own row")
    void concurrentCreatesAnswerTheirOwnRows() throws Exception {
        Api api = master("pro-1000").api();
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try {
            List<Future<String[]>> answers = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String name = "n" + i;
                Callable<String[]> create = switch (i % 3) {
                    case 0 -> () -> new String[] {name, api.post("/api/v1/templates", "{\"name\":\"" + name
                            + "\",\"html\":\"<p>x</p>\"}").json().get("name").asString()};
                    case 1 -> () -> new String[] {name, api.post("/api/v1/emails", "{\"name\":\"" + name + "\"}").json()
                            .get("name").asString()};
                    default -> () -> new String[] {name, api.post("/api/v1/lists", "{\"name\":\"" + name + "\"}").json()
                            .get("name").asString()};
                };
                answers.add(threads.submit(create));
            }
            for (Future<String[]> answer : answers) {
                String[] sentAndAnswered = answer.get();
                assertThat(sentAndAnswered[1]).isEqualTo(sentAndAnswered[0]);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
