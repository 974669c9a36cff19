package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * D-29's send API with templates, against what a hostile caller can send: large renders, nested
 * loops, list variables, Handlebars' own helpers; and the retention of idempotency records.
 */
class TemplateSendLimitsIntegrationTests extends MailtreeTestBase {

    @Autowired
    MessageRetention retention;

    /** A master with a confirmed sender; answers the sender address. */
    private String confirmedSender(Master master) {
        String address = "news-" + UUID.randomUUID().toString().substring(0, 6) + "@limits.example.test";
        master.api().post("/api/v1/senders", "{\"email\":\"" + address + "\",\"name\":\"News\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        return address;
    }

    private static long template(Api api, String subject, String html) {
        Api.Response created = api.post("/api/v1/templates", "{\"name\":\"T\",\"subject\":\"" + subject
                + "\",\"html\":\"" + html + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asLong();
    }

    private static String templated(String from, long template, String variables) {
        return "{\"messages\":[{\"from\":{\"email\":\"" + from + "\"},\"to\":[{\"email\":\"ann@example.test\"}],"
                + "\"templateId\":" + template + ",\"variables\":" + variables + "}]}";
    }

    private long queued(Master master) {
        return jdbc.sql("select count(*) from message where account_id = ?").param(UUID.fromString(master.id()))
                .query(Long.class).single();
    }

    @Test
    @DisplayName("D-29: a template is personalised with scalar variables: strings, numbers, booleans, null")
    void d29PersonalisedTemplateWithScalarVariables() {
        Master master = master("pro-1000");
        String from = confirmedSender(master);
        long template = template(master.api(), "Hi {{first_name}}",
                "<p>Hello {{first_name}}, order {{order}}{{#if vip}}, VIP{{/if}}{{default nickname \\\"!\\\"}}</p>");
        JsonNode result = master.api().post("/api/v1/send", templated(from, template,
                "{\"first_name\":\"Ann <3\",\"order\":42,\"vip\":true,\"nickname\":null}")).json().get("results").get(0);
        assertThat(result.get("status").asString()).as(result.toString()).isEqualTo("accepted");
        byte[] mime = jdbc.sql("select mime from message where public_id = ?")
                .param(UUID.fromString(result.get("id").asString())).query(byte[].class).single();
        String text = new String(mime, StandardCharsets.UTF_8).replace("=\r\n", "");
        assertThat(text).contains("Subject: Hi Ann <3", "Hello Ann &lt;3, order 42, VIP!");
    }

    @Test
    @DisplayName("D-29: list and object variables are refused with invalid_variable; nothing is queued")
    void d29ListVariablesAreRefused() {
        Master master = master("pro-1000");
        String from = confirmedSender(master);
        long template = template(master.api(), "Hi", "<p>{{#each items}}{{this}}{{/each}}</p>");
        for (String variables : new String[] {"{\"items\":[1,2,3]}", "{\"items\":{\"a\":1}}"}) {
            JsonNode result = master.api().post("/api/v1/send", templated(from, template, variables)).json()
                    .get("results").get(0);
            assertThat(result.get("status").asString()).isEqualTo("refused");
            assertThat(result.get("code").asString()).isEqualTo("invalid_variable");
        }
        assertThat(queued(master)).isZero();
    }

    @Test
    @DisplayName("D-29: a render larger than its limit is refused with rendered_too_large; nothing is queued")
    void d29OversizedRenderIsRefusedAndNothingQueued() {
        Master master = master("pro-1000");
        String from = confirmedSender(master);
        // A 500 KB template of {{x}}: refused when saved, before it is even parsed.
        Api.Response huge = master.api().post("/api/v1/templates", "{\"name\":\"Huge\",\"subject\":\"Hi\",\"text\":\"x\","
                + "\"html\":\"" + "{{x}}".repeat(100_000) + "\"}");
        assertThat(huge.status()).isEqualTo(400);
        assertThat(huge.code()).isEqualTo("template_too_complex");
        // Under the tag limit, a large x still multiplies: 5,000 times 1,000 characters.
        long template = template(master.api(), "Hi", "{{x}}".repeat(5_000));
        long started = System.nanoTime();
        JsonNode result = master.api().post("/api/v1/send", templated(from, template,
                "{\"x\":\"" + "y".repeat(1_000) + "\"}")).json().get("results").get(0);
        assertThat(result.get("status").asString()).isEqualTo("refused");
        assertThat(result.get("code").asString()).isEqualTo("rendered_too_large");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(queued(master)).isZero();
    }

    @Test
    @DisplayName("D-29: seven nested #each in a subject are refused with template_too_complex in under 2 s")
    void d29SevenNestedLoopsInASubjectAreRefusedQuickly() {
        Master master = master("pro-1000");
        String from = confirmedSender(master);
        String subject = "{{#each @root}}".repeat(7) + "{{/each}}".repeat(7) + "Hi";
        long template = template(master.api(), subject, "<p>x</p>");
        StringBuilder variables = new StringBuilder("{");
        for (int i = 0; i < 20; i++) {
            variables.append(i == 0 ? "" : ",").append("\"v").append(i).append("\":\"x\"");
        }
        master.api().post("/api/v1/send", templated(from, template, variables + "}")); // warm the path once
        long started = System.nanoTime();
        JsonNode result = master.api().post("/api/v1/send", templated(from, template, variables + "}")).json()
                .get("results").get(0);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(result.get("status").asString()).isEqualTo("refused");
        assertThat(result.get("code").asString()).isEqualTo("template_too_complex");
        assertThat(queued(master)).isZero();
    }

    @Test
    @DisplayName("Handlebars' built-in i18n and log helpers are not reachable from a template")
    void i18nAndLogHelpersDoNotRun() {
        Api api = master("pro-1000").api();
        for (String html : new String[] {"{{i18n \\\"problem.template_not_found\\\"}}", "{{log \\\"to the server log\\\"}}",
            "{{#*inline \\\"p\\\"}}x{{/inline}}"}) {
            Api.Response created = api.post("/api/v1/templates", "{\"name\":\"H\",\"subject\":\"Hi\",\"html\":\"" + html
                    + "\"}");
            assertThat(created.status()).as(html).isEqualTo(400);
            assertThat(created.code()).isEqualTo("template_syntax_error");
        }
    }

    @Test
    @DisplayName("Idempotency records are deleted after their retention; a record younger stays")
    void idempotencyRecordsArePurgedAfterRetention() {
        Master master = master("pro-1000");
        UUID account = UUID.fromString(master.id());
        Instant now = clock().instant();
        jdbc.sql("insert into idempotency_record (account_id, idem_key, request_hash, response, created_at) values "
                + "(?, 'old', 'h', '{}', ?), (?, 'young', 'h', '{}', ?)")
                .params(account, io.mailtree.shared.Times.sql(now.minus(Duration.ofHours(25))), account,
                        io.mailtree.shared.Times.sql(now.minus(Duration.ofHours(23)))).update();
        assertThat(retention.runOnce().idempotencyRecordsDeleted()).isPositive();
        assertThat(jdbc.sql("select idem_key from idempotency_record where account_id = ?").param(account)
                .query(String.class).list()).containsExactly("young");
    }
}
