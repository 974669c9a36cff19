package io.mailtree.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real HTTP client for the JSON APIs, as an integrator would call them. */
public final class Api {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String base;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Api(String base) {
        this.base = base;
    }

    /** An API client authenticated with an API key (HTTP Basic). */
    public static Api withKey(int port, String publicKey, String secret) {
        Api api = new Api("http://127.0.0.1:" + port);
        api.headers.put("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((publicKey + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        return api;
    }

    public static Api withKey(int port, JsonNode apiKey) {
        return withKey(port, apiKey.get("publicKey").asString(), apiKey.get("secret").asString());
    }

    /** The provisioning API with the operator token. */
    public static Api operator(int port, String token) {
        Api api = new Api("http://127.0.0.1:" + port);
        api.headers.put("Authorization", "Bearer " + token);
        return api;
    }

    public static Api anonymous(int port) {
        return new Api("http://127.0.0.1:" + port);
    }

    /** The same credentials, acting on a sub-account with X-Mailtree-On-Behalf-Of. */
    public Api onBehalfOf(String subaccountId) {
        Api api = new Api(base);
        api.headers.putAll(headers);
        api.headers.put("X-Mailtree-On-Behalf-Of", subaccountId);
        return api;
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response post(String path, String json) {
        return send("POST", path, json);
    }

    public Response patch(String path, String json) {
        return send("PATCH", path, json);
    }

    /** A multipart/form-data POST with text fields and one file, as a browser or curl -F sends it. */
    public Response postMultipart(String path, java.util.Map<String, String> fields, String fileName, byte[] content) {
        String boundary = "----mailtree" + java.util.UUID.randomUUID();
        var body = new java.io.ByteArrayOutputStream();
        try {
            for (var field : fields.entrySet()) {
                body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field.getKey()
                        + "\"\r\n\r\n" + field.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                    + "\"\r\nContent-Type: text/csv\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.write(content);
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(),
                    response.headers().firstValue("Content-Type").orElse(""));
        } catch (Exception failure) {
            throw new IllegalStateException("POST " + path + " failed", failure);
        }
    }

    /** A JSON request with one extra header, such as Idempotency-Key. */
    public Response sendWithHeader(String method, String path, String json, String header, String value) {
        Api api = new Api(base);
        api.headers.putAll(headers);
        api.headers.put(header, value);
        return api.send(method, path, json);
    }

    public Response send(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        request.header("Accept", "application/json");
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(),
                    response.headers().firstValue("Content-Type").orElse(""));
        } catch (Exception failure) {
            throw new IllegalStateException(method + " " + path + " failed", failure);
        }
    }

    /** A response: status, raw body and the body as JSON. */
    public record Response(int status, String body, String contentType) {

        public JsonNode json() {
            return JSON.readTree(body);
        }

        /** The problem code of an error response. */
        public String code() {
            JsonNode code = json().get("code");
            return code == null ? null : code.asString();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
