package io.mailtree.content;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Templates, images, e-mails: validation, rendering, bad input and tenancy. */
class ContentIntegrationTests extends ContentTestSupport {

    @Test
    @DisplayName("A template with broken syntax is refused with its line and column; nothing is stored")
    void templateSyntaxErrors() {
        Api api = master("pro-1000").api();
        Api.Response broken = api.post("/api/v1/templates",
                "{\"name\":\"Broken\",\"html\":\"<p>line one</p>\\n<p>Hello {{#if vip}}VIP</p>\"}");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.code()).isEqualTo("template_syntax_error");
        assertThat(broken.json().get("line").asInt()).isEqualTo(2);
        assertThat(broken.json().get("column").asInt()).isPositive();
        assertThat(api.post("/api/v1/templates", "{\"name\":\"Bad subject\",\"subject\":\"Hi {{name\"}").code())
                .isEqualTo("template_syntax_error");
        assertThat(api.post("/api/v1/templates", "{\"name\":\"Partial\",\"html\":\"{{> /etc/passwd}}\"}").status())
                .isIn(201, 400);
        assertThat(api.get("/api/v1/templates").json().get("items").toString()).doesNotContain("Broken");
    }

    @Test
    @DisplayName("Built-in layouts, HTML import and the generated text part")
    void layoutsAndImport() {
        Api api = master("pro-1000").api();
        JsonNode fromLayout = api.post("/api/v1/templates", "{\"name\":\"Launch\",\"layout\":\"announcement\"}").json();
        assertThat(fromLayout.get("html").asString()).contains("{{default first_name");
        assertThat(fromLayout.get("text").asString()).contains("Discover it (https://example.com)");
        assertThat(api.post("/api/v1/templates", "{\"name\":\"X\",\"layout\":\"no-such\"}").code()).isEqualTo("unknown_layout");
        JsonNode imported = api.postMultipart("/api/v1/templates", Map.of("name", "Imported"), "mail.html",
                "<h1>Title</h1><p>Body <a href=\"https://x.example\">link</a></p>".getBytes()).json();
        assertThat(imported.get("text").asString()).isEqualTo("Title\nBody link (https://x.example)");
    }

    @Test
    @DisplayName("Preview renders for a contact: values escaped in HTML, defaults for missing values")
    void previewForAContact() {
        Api api = master("pro-1000").api();
        api.post("/api/v1/contact-properties", "{\"key\":\"first_name\"}");
        long contact = api.post("/api/v1/contacts", "{\"email\":\"eve@example.test\",\"properties\":"
                + "{\"first_name\":\"<b>Eve</b>\"}}").json().get("id").asLong();
        long email = completeEmail(api, "https://cdn.example/x.png").get("id").asLong();
        JsonNode rendered = api.get("/api/v1/emails/" + email + "/preview?contactId=" + contact).json();
        assertThat(rendered.get("subject").asString()).isEqualTo("Hi <b>Eve</b>");
        assertThat(rendered.get("html").asString()).contains("Hello &lt;b&gt;Eve&lt;/b&gt;");
        JsonNode sample = api.get("/api/v1/emails/" + email + "/preview").json();
        assertThat(sample.get("html").asString()).contains("Hello friend");
    }

    @Test
    @DisplayName("An e-mail lists what is missing, becomes a draft when complete, and locks once sent")
    void validationAndState() {
        Api api = master("pro-1000").api();
        JsonNode email = api.post("/api/v1/emails", "{\"name\":\"Building\"}").json();
        long id = email.get("id").asLong();
        JsonNode validation = api.get("/api/v1/emails/" + id + "/validation").json();
        assertThat(validation.get("status").asString()).isEqualTo("INCOMPLETE");
        assertThat(validation.get("missing").toString()).contains("subject", "sender", "content");
        assertThat(validation.get("missingToSend").toString()).contains("recipients");

        api.patch("/api/v1/emails/" + id, "{\"subject\":\"Hello\",\"fromEmail\":\"me@shop.example\"}");
        assertThat(api.get("/api/v1/emails/" + id + "/validation").json().get("missing").toString()).isEqualTo("[\"content\"]");
        long list = api.post("/api/v1/lists", "{\"name\":\"All\"}").json().get("id").asLong();
        JsonNode complete = api.patch("/api/v1/emails/" + id, "{\"text\":\"Hi\",\"listIds\":[" + list + "]}").json();
        assertThat(complete.get("status").asString()).isEqualTo("DRAFT");
        assertThat(api.get("/api/v1/emails/" + id + "/validation").json().get("missingToSend").size()).isZero();
        JsonNode copy = api.post("/api/v1/emails/" + id + "/duplicate", null).json();
        assertThat(copy.get("name").asString()).isEqualTo("Building (copy)");
        assertThat(copy.get("status").asString()).isEqualTo("DRAFT");
        assertThat(api.send("DELETE", "/api/v1/emails/" + copy.get("id").asLong(), null).status()).isEqualTo(204);
    }

    @Test
    @DisplayName("Images: types are checked from the bytes; oversized, disguised and path-named files are refused")
    void imageBadInput() {
        Api api = master("pro-1000").api();
        JsonNode png = uploadImage(api, "../../etc/passwd", PNG);
        assertThat(png.get("fileName").asString()).isEqualTo("passwd");
        assertThat(png.get("contentType").asString()).isEqualTo("image/png");
        assertThat(api.postMultipart("/api/v1/images", Map.of(), "evil.png",
                "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".getBytes()).code()).isEqualTo("not_an_image");
        assertThat(api.postMultipart("/api/v1/images", Map.of(), "page.png", "<html><script>x</script>".getBytes()).code())
                .isEqualTo("not_an_image");
        assertThat(api.postMultipart("/api/v1/images", Map.of(), "huge.png", repeat(PNG, 6 * 1024 * 1024)).status())
                .isEqualTo(413);
        assertThat(api.get("/api/v1/images").json().get("total").asInt()).isEqualTo(1);
        Api.Response served = Api.anonymous(port).get(png.get("url").asString().replaceFirst("^https?://[^/]+", ""));
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.contentType()).isEqualTo("image/png");
        assertThat(Api.anonymous(port).get("/i/" + "A".repeat(32)).status()).isEqualTo(404);
    }

    @Test
    @DisplayName("Attachments: a PDF is accepted; a fake PDF, an executable and oversized files are refused")
    void attachmentBadInput() {
        Api api = master("pro-1000").api();
        long id = completeEmail(api, "https://cdn.example/x.png").get("id").asLong();
        assertThat(api.postMultipart("/api/v1/emails/" + id + "/attachments", Map.of(), "terms.pdf", PDF).status())
                .isEqualTo(201);
        assertThat(api.postMultipart("/api/v1/emails/" + id + "/attachments", Map.of(), "fake.pdf",
                "just text".getBytes()).code()).isEqualTo("unsupported_attachment");
        assertThat(api.postMultipart("/api/v1/emails/" + id + "/attachments", Map.of(), "tool.exe",
                "MZ\u0090\u0000".getBytes()).code()).isEqualTo("unsupported_attachment");
        assertThat(api.postMultipart("/api/v1/emails/" + id + "/attachments", Map.of(), "big.pdf",
                repeat(PDF, 11 * 1024 * 1024)).status()).isEqualTo(413);
        assertThat(api.get("/api/v1/emails/" + id + "/attachments").json().get("items").size()).isEqualTo(1);
    }

    @Test
    @DisplayName("HTML with script and onerror is stored as written and never runs in the application")
    void hostileHtmlStaysInert() {
        Api api = master("pro-1000").api();
        String hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>";
        JsonNode email = api.post("/api/v1/emails", "{\"name\":\"Hostile\",\"html\":\"" + hostile + "\"}").json();
        assertThat(email.get("html").asString()).isEqualTo(hostile);
        assertThat(api.post("/api/v1/emails", "{\"name\":\"Inject\",\"fromName\":\"A\\r\\nBcc: x@evil.example\"}").code())
                .isEqualTo("invalid_header");
        assertThat(api.post("/api/v1/emails", "{\"name\":\"Inject\",\"subject\":\"A\\r\\nBcc: x@evil.example\"}").code())
                .isEqualTo("invalid_header");
    }

    @Test
    @DisplayName("Another account's templates, images, e-mails and lists answer 404")
    void tenancy() {
        Api owner = master("pro-1000").api();
        Api intruder = master("pro-1000").api();
        long template = owner.post("/api/v1/templates", "{\"name\":\"Mine\",\"html\":\"<p>x</p>\"}").json().get("id").asLong();
        long image = uploadImage(owner, "a.png", PNG).get("id").asLong();
        long email = completeEmail(owner, "https://cdn.example/x.png").get("id").asLong();
        long list = owner.post("/api/v1/lists", "{\"name\":\"L\"}").json().get("id").asLong();

        assertThat(intruder.get("/api/v1/templates/" + template).code()).isEqualTo("template_not_found");
        assertThat(intruder.get("/api/v1/images/" + image).code()).isEqualTo("image_not_found");
        assertThat(intruder.get("/api/v1/emails/" + email).code()).isEqualTo("email_not_found");
        assertThat(intruder.patch("/api/v1/emails/" + email, "{\"name\":\"x\"}").status()).isEqualTo(404);
        assertThat(intruder.send("DELETE", "/api/v1/images/" + image, null).status()).isEqualTo(404);
        assertThat(intruder.post("/api/v1/emails", "{\"name\":\"x\",\"templateId\":" + template + "}").code())
                .isEqualTo("template_not_found");
        assertThat(intruder.post("/api/v1/emails", "{\"name\":\"x\",\"listIds\":[" + list + "]}").code())
                .isEqualTo("list_not_found");
        assertThat(intruder.get("/api/v1/emails/" + email + "/preview").status()).isEqualTo(404);
        assertThat(intruder.post("/api/v1/images/share", "{\"imageIds\":[" + image + "],\"subaccountIds\":[\"x\"]}")
                .status()).isIn(403, 404);
        assertThat(owner.get("/api/v1/emails/" + email).status()).isEqualTo(200);
    }
}
