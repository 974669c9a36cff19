package io.mailtree.support;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser-like HTTP session (cookies, CSRF tokens read from the last page) for testing the web
 * UI's rules over real HTTP; the main flows also run in real Chromium.
 */
public final class WebSession {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"\\s+value=\"([^\"]+)\"");

    private final String base;
    private final HttpClient http;
    private final CookieManager cookies = new CookieManager();
    private String csrf;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public WebSession(int port) {
        this.base = "http://127.0.0.1:" + port;
        this.http = HttpClient.newBuilder().cookieHandler(cookies)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Sends this header with every further request (as a reverse proxy would add it). */
    public WebSession header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** The value of a cookie this session holds (such as JSESSIONID), or null. */
    public String cookie(String name) {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name))
                .map(java.net.HttpCookie::getValue).findFirst().orElse(null);
    }

    /** Holds a cookie as a browser would after a script set it (such as the time zone's, mt_tz). */
    public WebSession cookie(String name, String value) {
        java.net.HttpCookie cookie = new java.net.HttpCookie(name, value);
        cookie.setPath("/");
        cookie.setVersion(0);
        cookies.getCookieStore().add(java.net.URI.create(base), cookie);
        return this;
    }

    /** Signs in; answers where the sign-in redirected to. */
    public String signIn(String email, String password) {
        get("/login");
        Page result = post("/login", Map.of("email", email, "password", password));
        return result.location();
    }

    public Page get(String path) {
        Page page = send(HttpRequest.newBuilder(uri(path)).GET());
        Matcher matcher = CSRF.matcher(page.body());
        if (matcher.find()) {
            csrf = matcher.group(1);
        }
        return page;
    }

    /** Follows redirects (GET) up to five times. */
    public Page follow(Page page) {
        Page current = page;
        for (int i = 0; i < 5 && current.status() / 100 == 3; i++) {
            current = get(current.location().replaceFirst("^https?://[^/]+", ""));
        }
        return current;
    }

    /**
     * Follows an e-mailed confirmation link as a person does: opens it (which confirms nothing) and
     * presses the page's button, a POST of the link's token with the page's CSRF token.
     */
    public Page confirm(String link) {
        get(link);
        int query = link.indexOf('?');
        String path = query < 0 ? link : link.substring(0, query);
        String token = "";
        Matcher matcher = Pattern.compile("[?&]token=([^&]*)").matcher(link);
        if (matcher.find()) {
            token = java.net.URLDecoder.decode(matcher.group(1), StandardCharsets.UTF_8);
        }
        return post(path, Map.of("token", token));
    }

    /** Posts a form with the CSRF token of the last page. */
    public Page post(String path, Map<String, String> form) {
        Map<String, String> fields = new LinkedHashMap<>(form);
        if (csrf != null) {
            fields.putIfAbsent("_csrf", csrf);
        }
        return postRaw(path, fields);
    }

    /** Posts exactly these fields (for forged-CSRF tests). */
    public Page postRaw(String path, Map<String, String> fields) {
        String body = fields.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private Page send(HttpRequest.Builder request) {
        try {
            headers.forEach(request::header);
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Page(response.statusCode(), response.body(), response.headers().firstValue("Location").orElse(""));
        } catch (Exception failure) {
            throw new IllegalStateException(failure);
        }
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A page: status, HTML and the redirect target, if any. */
    public record Page(int status, String body, String location) {

        public String path() {
            return location.replaceFirst("^https?://[^/]+", "");
        }
    }
}
