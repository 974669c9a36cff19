package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.ApiKeyId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Permission;
import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.TestInfrastructure;
import io.mailtree.support.WebSession;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The send API into the durable queue, delivered over SMTP to a real server (GreenMail). */
class SendIntegrationTests extends MailtreeTestBase {

    @Autowired
    MessageQueue queue;

    @Autowired
    Messages messages;

    @Autowired
    MessageRetention retention;

    /** A master with a confirmed sender on its own domain; answers the sender address. */
    private String confirmedSender(Master master, String domain) {
        String address = "news-" + UUID.randomUUID().toString().substring(0, 6) + "@" + domain;
        master.api().post("/api/v1/senders", "{\"email\":\"" + address + "\",\"name\":\"News\"}");
        new WebSession(port).confirm(linkIn(awaitMailTo(address, 1), "/senders/confirm"));
        return address;
    }

    private static String message(String from, String to, String subject) {
        return "{\"from\":{\"email\":\"" + from + "\",\"name\":\"Shop\"},\"to\":[{\"email\":\"" + to
                + "\",\"name\":\"Ann\"}],\"subject\":\"" + subject + "\",\"text\":\"Hello\",\"html\":\"<p>Hello</p>\","
                + "\"customId\":\"order-42\",\"headers\":{\"X-Order\":\"42\"}}";
    }

    private JsonNode awaitStatus(Api api, String id, String status) {
        long deadline = System.currentTimeMillis() + 15_000;
        JsonNode detail = null;
        while (System.currentTimeMillis() < deadline) {
            detail = api.get("/api/v1/messages/" + id).json();
            if (detail.get("message").get("status").asString().equals(status)) {
                return detail;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        throw new AssertionError("message " + id + " did not reach " + status + ": " + detail);
    }

    private MimeMessage received(String recipient, String subject) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (MimeMessage message : TestInfrastructure.SMTP.getReceivedMessages()) {
                try {
                    if (subject.equals(message.getSubject()) && Arrays.stream(message.getAllRecipients())
                            .anyMatch(a -> a.toString().contains(recipient))) {
                        return message;
                    }
                } catch (Exception ignored) {
                    // keep looking
                }
            }
        }
        throw new AssertionError("no message " + subject + " to " + recipient);
    }

    @Test
    @DisplayName("D-29: the send API queues each message tied to the calling key; refusals do not stop the others")
    void d29SendApiQueuesAndDelivers() throws Exception {
        Master master = master("pro-1000");
        String from = confirmedSender(master, "shop.example.test");
        String to = uniqueEmail("customer");
        JsonNode results = master.api().post("/api/v1/send", "{\"messages\":[" + message(from, to, "Order 42")
                + "," + message("stranger@shop.example.test", to, "Nope") + "]}").json().get("results");
        assertThat(results.get(0).get("status").asString()).isEqualTo("accepted");
        assertThat(results.get(0).get("customId").asString()).isEqualTo("order-42");
        assertThat(results.get(1).get("status").asString()).isEqualTo("refused");
        assertThat(results.get(1).get("code").asString()).isEqualTo("sender_not_verified");

        String id = results.get(0).get("id").asString();
        JsonNode delivered = awaitStatus(master.api(), id, "DELIVERED");
        List<String> events = delivered.get("events").valueStream().map(e -> e.get("type").asString()).toList();
        assertThat(events).containsSubsequence("ACCEPTED", "QUEUED", "DELIVERED");
        UUID keyId = jdbc.sql("select id from api_key where account_id = ? and is_primary").param(UUID.fromString(master.id()))
                .query(UUID.class).single();
        assertThat(delivered.get("message").get("apiKeyId").asString()).isEqualTo(keyId.toString());

        MimeMessage mail = received(to, "Order 42");
        assertThat(mail.getHeader("X-Order")[0]).isEqualTo("42");
        assertThat(mail.getMessageID()).isEqualTo(results.get(0).get("messageId").asString()).endsWith("@shop.example.test>");
        // accounts.last-send applies the DELIVERED event shortly after it commits (ADR 0010).
        Eventually.afterConsumers(() -> assertThat(jdbc.sql("select last_send_at from account where id = ?")
                .param(UUID.fromString(master.id())).query((rs, n) -> rs.getObject(1)).single())
                .as("D-10's clock starts").isNotNull());
        assertThat(master.api().get("/api/v1/messages?recipient=" + to).json().get("items").size()).isEqualTo(1);
    }

    @Test
    @DisplayName("D-30: mail from a registered domain is DKIM-signed over From, To, Subject, Date and Message-ID")
    void d30DkimSigned() throws Exception {
        Master master = master("pro-1000");
        master.api().post("/api/v1/domains", "{\"domain\":\"signed.example.test\"}");
        String from = confirmedSender(master, "signed.example.test");
        String to = uniqueEmail("reader");
        String id = master.api().post("/api/v1/send", "{\"messages\":[" + message(from, to, "Signed") + "]}").json()
                .get("results").get(0).get("id").asString();
        awaitStatus(master.api(), id, "DELIVERED");
        MimeMessage mail = received(to, "Signed");
        String signature = mail.getHeader("DKIM-Signature")[0].replaceAll("\\s+", "");
        assertThat(signature).contains("d=signed.example.test").contains("s=mt1").contains("a=rsa-sha256")
                .contains("c=relaxed/simple");
        String signed = Arrays.stream(signature.split(";")).filter(tag -> tag.startsWith("h=")).findFirst().orElseThrow()
                .substring(2).toLowerCase();
        assertThat(Arrays.asList(signed.split(":"))).contains("from", "to", "subject", "date", "message-id");
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        mail.writeTo(raw);
        assertThat(raw.toString()).contains("Return-Path:").contains("bounces+");
        String published = master.api().get("/api/v1/domains").json().get("items").get(0).get("dnsRecords").get(0)
                .get("value").asString().replaceFirst("^v=DKIM1; k=rsa; p=", "");
        var key = java.security.KeyFactory.getInstance("RSA").generatePublic(
                new java.security.spec.X509EncodedKeySpec(java.util.Base64.getDecoder().decode(published)));
        var verified = io.mailtree.support.DkimVerifier.verify(raw.toByteArray(), key);
        assertThat(verified.valid()).as(String.valueOf(verified.reason())).isTrue();
        assertThat(verified.signedHeaders()).contains("from", "to", "subject", "date", "message-id");
    }

    @Test
    @DisplayName("D-30: with Ed25519 turned on, mail carries a second signature that verifies with the published Ed25519 key, and RSA still verifies")
    void d30Ed25519SecondSignature() throws Exception {
        Master master = master("pro-1000");
        long domainId = master.api().post("/api/v1/domains", "{\"domain\":\"twice.example.test\"}").json().get("id")
                .asLong();
        assertThat(master.api().patch("/api/v1/domains/" + domainId, "{}").code()).isEqualTo("nothing_to_change");
        JsonNode domain = master.api().patch("/api/v1/domains/" + domainId, "{\"ed25519\":true}").json();
        assertThat(domain.get("ed25519").asBoolean()).isTrue();
        JsonNode records = domain.get("dnsRecords");
        assertThat(records.get(1).get("name").asString()).isEqualTo("mt2._domainkey.twice.example.test");
        String ed25519Published = records.get(1).get("value").asString().replaceFirst("^v=DKIM1; k=ed25519; p=", "");
        String rsaPublished = records.get(0).get("value").asString().replaceFirst("^v=DKIM1; k=rsa; p=", "");
        Master other = master("pro-1000");
        assertThat(other.api().patch("/api/v1/domains/" + domainId, "{\"ed25519\":true}").status()).isEqualTo(404);

        String from = confirmedSender(master, "twice.example.test");
        String to = uniqueEmail("reader");
        String id = master.api().post("/api/v1/send", "{\"messages\":[" + message(from, to, "Signed twice") + "]}").json()
                .get("results").get(0).get("id").asString();
        awaitStatus(master.api(), id, "DELIVERED");
        MimeMessage mail = received(to, "Signed twice");
        assertThat(mail.getHeader("DKIM-Signature")).hasSize(2);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        mail.writeTo(raw);
        // The raw 32-byte key, as X.509 SubjectPublicKeyInfo for the JDK: the fixed Ed25519 prefix, then the key.
        byte[] prefix = java.util.HexFormat.of().parseHex("302a300506032b6570032100");
        byte[] rawKey = Base64.getDecoder().decode(ed25519Published);
        byte[] encoded = Arrays.copyOf(prefix, prefix.length + rawKey.length);
        System.arraycopy(rawKey, 0, encoded, prefix.length, rawKey.length);
        var edKey = java.security.KeyFactory.getInstance("Ed25519")
                .generatePublic(new java.security.spec.X509EncodedKeySpec(encoded));
        var ed = io.mailtree.support.DkimVerifier.verify(raw.toByteArray(), edKey, "ed25519-sha256");
        assertThat(ed.valid()).as(String.valueOf(ed.reason())).isTrue();
        assertThat(ed.selector()).isEqualTo("mt2");
        assertThat(ed.signedHeaders()).contains("from", "to", "subject", "date", "message-id");
        var rsaKey = java.security.KeyFactory.getInstance("RSA")
                .generatePublic(new java.security.spec.X509EncodedKeySpec(Base64.getDecoder().decode(rsaPublished)));
        var rsa = io.mailtree.support.DkimVerifier.verify(raw.toByteArray(), rsaKey, "rsa-sha256");
        assertThat(rsa.valid()).as(String.valueOf(rsa.reason())).isTrue();

        JsonNode off = master.api().patch("/api/v1/domains/" + domainId, "{\"ed25519\":false}").json();
        assertThat(off.get("ed25519").asBoolean()).isFalse();
        assertThat(off.get("dnsRecords").size()).isEqualTo(3);
    }

    @Test
    @DisplayName("D-12: an inactive sub-account's queued mail is held, neither sent nor lost, and released on activation")
    void d12HeldThenReleased() {
        Master master = master("pro-1000");
        JsonNode sub = createSubaccount(master.api(), 500).json();
        String subId = sub.get("subaccount").get("id").asString();
        Master subMaster = new Master(subId, Api.withKey(port, sub.get("apiKey")));
        String from = confirmedSender(subMaster, "held.example.test");
        master.api().post("/api/v1/subaccounts/" + subId + "/deactivate", null);

        Caller subCaller = new Caller(id(subId), id(subId), false, Caller.Context.DIRECT, "test", null,
                new ApiKeyId(UUID.randomUUID()), Permission.all(), "127.0.0.1");
        String to = uniqueEmail("held");
        var answer = queue.send(subCaller, List.of(new OutboundMessage(new OutboundMessage.Party(from, null),
                List.of(new OutboundMessage.Party(to, null)), null, null, null, "Held", "text", null, null, null, null,
                null, null, null, null)), null, "held");
        String messageId = answer.results().get(0).id();
        try {
            Thread.sleep(1500);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        assertThat(messages.get(id(subId), messageId).message().held()).isTrue();
        assertThat(jdbc.sql("select status from message where public_id = ?").param(UUID.fromString(messageId))
                .query(String.class).single()).isEqualTo("QUEUED");

        master.api().post("/api/v1/subaccounts/" + subId + "/activate", null);
        JsonNode released = awaitStatus(subMaster.api(), messageId, "DELIVERED");
        assertThat(released.get("message").get("held").asBoolean()).isFalse();
        received(to, "Held");
    }

    @Test
    @DisplayName("Idempotency-Key: the same body answers the first answer and queues nothing new; another body is a 409")
    void idempotency() {
        Master master = master("pro-1000");
        String from = confirmedSender(master, "idem.example.test");
        String body = "{\"messages\":[" + message(from, uniqueEmail("idem"), "Once") + "]}";
        Api keyed = master.api();
        Api.Response first = keyed.sendWithHeader("POST", "/api/v1/send", body, "Idempotency-Key", "order-42-confirmation");
        Api.Response again = keyed.sendWithHeader("POST", "/api/v1/send", body, "Idempotency-Key", "order-42-confirmation");
        assertThat(again.json().get("results").get(0).get("id").asString())
                .isEqualTo(first.json().get("results").get(0).get("id").asString());
        assertThat(jdbc.sql("select count(*) from message where account_id = ?").param(UUID.fromString(master.id()))
                .query(Long.class).single()).isEqualTo(1);
        Api.Response other = keyed.sendWithHeader("POST", "/api/v1/send", body.replace("Once", "Twice"), "Idempotency-Key",
                "order-42-confirmation");
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.code()).isEqualTo("idempotency_key_reused");
    }

    @Test
    @DisplayName("Resent-* and Received-SPF headers are refused like the other trace and routing headers; nothing is queued")
    void resentAndReceivedSpfHeadersAreRefused() {
        Master master = master("pro-1000");
        String from = confirmedSender(master, "resent.example.test");
        String one = message(from, uniqueEmail("x"), "One");
        List<String> refused = List.of("Resent-From", "Resent-To", "resent-sender", "Resent-Message-ID", "Resent-Date",
                "Resent-Cc", "Received-SPF", "RECEIVED-SPF");
        StringBuilder body = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < refused.size(); i++) {
            body.append(i == 0 ? "" : ",").append(one.replace("\"X-Order\":\"42\"",
                    "\"" + refused.get(i) + "\":\"spy@evil.example\""));
        }
        JsonNode results = master.api().post("/api/v1/send", body.append("]}").toString()).json().get("results");
        assertThat(results.valueStream().map(r -> r.get("code").asString()).toList())
                .hasSize(refused.size()).containsOnly("header_not_allowed");
        assertThat(jdbc.sql("select count(*) from message where account_id = ?").param(UUID.fromString(master.id()))
                .query(Long.class).single()).isZero();
        // A name that merely starts like one is still the client's own.
        assertThat(master.api().post("/api/v1/send", "{\"messages\":[" + one.replace("\"X-Order\":\"42\"",
                "\"X-Resent-Note\":\"42\"") + "]}").json().get("results").get(0).get("id")).isNotNull();
    }

    @Test
    @DisplayName("Bad input: 51 messages, header injection, CR/LF in an address, bad base64, suppressed recipients")
    void badInput() {
        Master master = master("pro-1000");
        String from = confirmedSender(master, "bad.example.test");
        String one = message(from, uniqueEmail("x"), "One");
        StringBuilder many = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 51; i++) {
            many.append(i == 0 ? "" : ",").append(one);
        }
        Api.Response tooMany = master.api().post("/api/v1/send", many.append("]}").toString());
        assertThat(tooMany.code()).isEqualTo("too_many_messages");
        JsonNode results = master.api().post("/api/v1/send", "{\"messages\":["
                + one.replace("\"X-Order\":\"42\"", "\"Bcc\":\"spy@evil.example\"") + ","
                + one.replace("\"X-Order\":\"42\"", "\"X-Order\":\"42\\r\\nBcc: spy@evil.example\"") + ","
                + message(from, "ann@example.test\\r\\nBcc: spy@evil.example", "Inject") + ","
                + one.replace("\"customId\"", "\"attachments\":[{\"fileName\":\"a.pdf\",\"contentType\":\"application/pdf\","
                        + "\"content\":\"***not base64***\"}],\"customId\"") + ","
                + one.replace("\"subject\":\"One\"", "\"subject\":\"\"") + "]}").json().get("results");
        assertThat(results.valueStream().map(r -> r.get("code").asString()).toList()).containsExactly(
                "header_not_allowed", "invalid_header", "invalid_recipient", "invalid_base64", "missing_subject");
        assertThat(jdbc.sql("select count(*) from message where account_id = ?").param(UUID.fromString(master.id()))
                .query(Long.class).single()).isZero();
        assertThat(master.api().post("/api/v1/send", "{\"messages\":[{\"from\":").code()).isEqualTo("malformed_json");

        String suppressed = uniqueEmail("gone");
        master.api().post("/api/v1/suppressions", "{\"email\":\"" + suppressed + "\"}");
        String id = master.api().post("/api/v1/send", "{\"messages\":[" + message(from, suppressed, "Suppressed") + "]}")
                .json().get("results").get(0).get("id").asString();
        JsonNode detail = awaitStatus(master.api(), id, "SUPPRESSED");
        assertThat(detail.get("events").toString()).contains("SUPPRESSED");
        assertThat(master("pro-1000").api().get("/api/v1/messages/" + id).code()).isEqualTo("message_not_found");
    }

    private static byte[] image(String format, int rgb) throws Exception {
        BufferedImage pixels = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        pixels.setRGB(0, 0, rgb);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        javax.imageio.ImageIO.write(pixels, format, out);
        return out.toByteArray();
    }

    private static String inline(String contentId, String fileName, String contentType, byte[] bytes) {
        return "{\"contentId\":\"" + contentId + "\",\"fileName\":\"" + fileName + "\",\"contentType\":\"" + contentType
                + "\",\"content\":\"" + Base64.getEncoder().encodeToString(bytes) + "\"}";
    }

    private static String withImages(String from, String to, String subject, String html, String extra, String... images) {
        return "{\"from\":{\"email\":\"" + from + "\"},\"to\":[{\"email\":\"" + to + "\"}],\"subject\":\"" + subject
                + "\",\"text\":\"See the pictures\"" + (html == null ? "" : ",\"html\":\"" + html + "\"")
                + extra + ",\"inlineImages\":[" + String.join(",", images) + "]}";
    }

    private static Multipart multipart(Part part, String type) throws Exception {
        assertThat(part.isMimeType(type)).as("%s is %s", part.getContentType(), type).isTrue();
        return (Multipart) part.getContent();
    }

    @Test
    @DisplayName("Inline images compose as multipart/related around the html, with their Content-IDs; bad ones are "
            + "refused with a code while a good message of the same call is accepted")
    void inlineImages() throws Exception {
        Master master = master("pro-1000");
        String from = confirmedSender(master, "pictures.example.test");
        String to = uniqueEmail("pictures");
        byte[] png = image("png", 0xFF0000);
        byte[] gif = image("gif", 0x00FF00);
        String html = "<p><img src=\\\"cid:logo@shop\\\"> and <img src=\\\"cid:banner.1\\\"></p>";
        String pdf = Base64.getEncoder().encodeToString("%PDF-1.4 invoice".getBytes(StandardCharsets.US_ASCII));
        String fakePng = inline("logo", "logo.png", "image/png",
                "<html><script>alert(1)</script></html>".getBytes(StandardCharsets.US_ASCII));
        JsonNode results = master.api().post("/api/v1/send", "{\"messages\":["
                + withImages(from, to, "Pictures", html, "", inline("logo@shop", "logo.png", "image/png", png),
                        inline("banner.1", "banner.gif", "image/gif", gif)) + ","
                + withImages(from, to, "Pictures and invoice", html, ",\"attachments\":[{\"fileName\":\"invoice.pdf\","
                        + "\"contentType\":\"application/pdf\",\"content\":\"" + pdf + "\"}]",
                        inline("logo@shop", "logo.png", "image/png", png), inline("banner.1", "banner.gif", "image/gif", gif))
                + "," + withImages(from, to, "Fake", html, "", fakePng) + ","
                + withImages(from, to, "Twice", html, "", inline("logo@shop", "a.png", "image/png", png),
                        inline("LOGO@shop", "b.png", "image/png", png)) + ","
                + withImages(from, to, "No html", null, "", inline("logo@shop", "logo.png", "image/png", png)) + ","
                + withImages(from, to, "Brackets", html, "", inline("<logo@shop>", "logo.png", "image/png", png)) + ","
                + withImages(from, to, "Lying type", html, "", inline("logo@shop", "logo.png", "image/jpeg", png)) + ","
                + withImages(from, to, "Bad base64", html, "", "{\"contentId\":\"x\",\"content\":\"***not base64***\"}")
                + "]}").json().get("results");
        assertThat(results.valueStream().map(r -> r.get("status").asString() + ":"
                + (r.has("code") && !r.get("code").isNull() ? r.get("code").asString() : "")).toList())
                .containsExactly("accepted:", "accepted:", "refused:not_an_image", "refused:duplicate_content_id",
                        "refused:inline_images_need_html", "refused:invalid_inline_image", "refused:invalid_inline_image",
                        "refused:invalid_base64");
        assertThat(jdbc.sql("select count(*) from message where account_id = ?").param(UUID.fromString(master.id()))
                .query(Long.class).single()).as("only the accepted messages are queued").isEqualTo(2);

        awaitStatus(master.api(), results.get(0).get("id").asString(), "DELIVERED");
        MimeMessage pictures = received(to, "Pictures");
        Multipart alternative = multipart(pictures, "multipart/alternative");
        assertThat(alternative.getBodyPart(0).isMimeType("text/plain")).isTrue();
        assertRelated(alternative.getBodyPart(1), png, gif);

        awaitStatus(master.api(), results.get(1).get("id").asString(), "DELIVERED");
        Multipart mixed = multipart(received(to, "Pictures and invoice"), "multipart/mixed");
        assertThat(mixed.getCount()).isEqualTo(2);
        Multipart nested = multipart(mixed.getBodyPart(0), "multipart/alternative");
        assertThat(nested.getBodyPart(0).isMimeType("text/plain")).isTrue();
        assertRelated(nested.getBodyPart(1), png, gif);
        assertThat(mixed.getBodyPart(1).getFileName()).isEqualTo("invoice.pdf");
        assertThat(mixed.getBodyPart(1).getDisposition()).isEqualTo(Part.ATTACHMENT);
    }

    private static void assertRelated(BodyPart part, byte[] png, byte[] gif) throws Exception {
        Multipart related = multipart(part, "multipart/related");
        assertThat(new ContentType(part.getContentType()).getParameter("type")).isEqualTo("text/html");
        assertThat(related.getCount()).isEqualTo(3);
        assertThat(related.getBodyPart(0).isMimeType("text/html")).isTrue();
        assertThat(String.valueOf(related.getBodyPart(0).getContent())).contains("src=\"cid:logo@shop\"")
                .contains("src=\"cid:banner.1\"");
        MimeBodyPart logo = (MimeBodyPart) related.getBodyPart(1);
        assertThat(logo.getContentID()).isEqualTo("<logo@shop>");
        assertThat(logo.isMimeType("image/png")).isTrue();
        assertThat(logo.getDisposition()).isEqualTo(Part.INLINE);
        assertThat(logo.getFileName()).isEqualTo("logo.png");
        assertThat(logo.getInputStream().readAllBytes()).isEqualTo(png);
        MimeBodyPart banner = (MimeBodyPart) related.getBodyPart(2);
        assertThat(banner.getContentID()).isEqualTo("<banner.1>");
        assertThat(banner.isMimeType("image/gif")).isTrue();
        assertThat(banner.getDisposition()).isEqualTo(Part.INLINE);
        assertThat(banner.getInputStream().readAllBytes()).isEqualTo(gif);
    }

    @Test
    @DisplayName("Retention: a finished message's content is cleared after 7 days, the message and its events deleted after 90; queued mail and statistics stay")
    void retentionClearsContentThenDeletesHistory() {
        Master master = master("pro-1000");
        String from = confirmedSender(master, "retention.example.test");
        String id = master.api().post("/api/v1/send", "{\"messages\":[" + message(from, uniqueEmail("r"), "Kept a while")
                + "]}").json().get("results").get(0).get("id").asString();
        awaitStatus(master.api(), id, "DELIVERED");
        long rowId = jdbc.sql("select id from message where public_id = ?").param(UUID.fromString(id)).query(Long.class)
                .single();
        // A message still queued (due in a year), as old as the other: never cleared.
        UUID queuedId = UUID.randomUUID();
        jdbc.sql("""
                insert into message (public_id, account_id, api_key_id, status, from_email, recipients, subject,
                    message_id, attempts, next_attempt_at, created_at, updated_at, mime)
                select ?, account_id, api_key_id, 'QUEUED', from_email, recipients, subject, message_id, 0, ?, created_at,
                    updated_at, mime from message where id = ?""")
                .params(queuedId,
                        clock().instant().plus(Duration.ofDays(365)).atOffset(java.time.ZoneOffset.UTC), rowId)
                .update();

        // Other tests share the database and the clock (and may have moved it on), so judge this message only.
        retention.runOnce();
        assertThat(mimeOf(id)).as("nothing is 7 days old yet").isNotNull();
        advanceClock(Duration.ofDays(8));
        retention.runOnce();
        assertThat(mimeOf(id)).as("content cleared after 7 days").isNull();
        assertThat(mimeOf(queuedId.toString())).as("queued content kept").isNotNull();
        JsonNode detail = master.api().get("/api/v1/messages/" + id).json();
        assertThat(detail.get("message").get("status").asString()).isEqualTo("DELIVERED");
        assertThat(detail.get("events").size()).isGreaterThanOrEqualTo(3);

        advanceClock(Duration.ofDays(83));
        assertThat(retention.runOnce().messagesDeleted()).isPositive();
        assertThat(master.api().get("/api/v1/messages/" + id).status()).isEqualTo(404);
        assertThat(jdbc.sql("select count(*) from message_event where message_id = ?").param(rowId).query(Long.class)
                .single()).isZero();
        assertThat(mimeOf(queuedId.toString())).as("queued mail is never purged").isNotNull();
        assertThat(jdbc.sql("select coalesce(sum(event_count), 0) from message_stat where account_id = ? and event_type = 'DELIVERED'")
                .param(UUID.fromString(master.id())).query(Long.class).single()).as("statistics are kept").isEqualTo(1);
        jdbc.sql("delete from message where public_id = ?").param(queuedId).update();
    }

    private byte[] mimeOf(String publicId) {
        return jdbc.sql("select mime from message where public_id = ?").param(UUID.fromString(publicId))
                .query((rs, n) -> java.util.Optional.ofNullable(rs.getBytes(1))).single().orElse(null);
    }
}
