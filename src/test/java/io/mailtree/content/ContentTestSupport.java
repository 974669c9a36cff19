package io.mailtree.content;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Real files for the content tests: a tiny valid PNG, a PDF, and look-alikes. */
abstract class ContentTestSupport extends MailtreeTestBase {

    /** A 1×1 PNG. */
    static final byte[] PNG = java.util.Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    static final byte[] PDF = ("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
            + "2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n").getBytes();

    protected JsonNode uploadImage(Api api, String name, byte[] bytes) {
        Api.Response response = api.postMultipart("/api/v1/images", Map.of(), name, bytes);
        if (response.status() != 201) {
            throw new AssertionError("image upload: " + response);
        }
        return response.json();
    }

    protected static byte[] repeat(byte[] head, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.writeBytes(head);
        while (out.size() < size) {
            out.write(0);
        }
        return out.toByteArray();
    }

    /** A complete regular e-mail with an image and a link, answering its JSON. */
    protected JsonNode completeEmail(Api api, String imageUrl) {
        String html = "<html><body><p>Hello {{default first_name \\\"friend\\\"}}</p><img src=\\\"" + imageUrl
                + "\\\" alt=\\\"Logo\\\"><a href=\\\"https://shop.example/sale\\\">Sale</a></body></html>";
        return api.post("/api/v1/emails", "{\"name\":\"Spring sale\",\"subject\":\"Hi {{first_name}}\","
                + "\"fromName\":\"Shop\",\"fromEmail\":\"news@shop.example\",\"html\":\"" + html + "\"}").json();
    }
}
