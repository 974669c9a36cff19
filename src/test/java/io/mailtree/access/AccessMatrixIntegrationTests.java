package io.mailtree.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * The access-control matrix (D-22, D-23, D-24, D-12), generated from the application's own route list
 * ({@link RequestMappingHandlerMapping}), so a route added tomorrow joins it without editing this
 * test. Every route must declare its permission with {@link RequiresPermission}, or be one of the few
 * listed in {@link #PERMISSION_FREE} with the reason it needs none; otherwise the matrix fails.
 * <p>For each page: a collaborator without the permission (on a sub-account and on the master) gets
 * 403; one holding only that permission reaches it on the right account (a master's page from a
 * sub-account stays refused); ids of a sibling sub-account answer 4xx without its data; a revoked
 * grant and a deactivated sub-account are signed out on the request. For each API endpoint (keys
 * hold every permission): no key 401, a deactivated sub-account's key 403, a sub-account's key with
 * a sibling's ids 4xx without its data. No response to a sub-account's caller carries the sibling's
 * name or id, nor the master owner's address.
 */
class AccessMatrixIntegrationTests extends MailtreeTestBase {

    private static final String PASSWORD = "matrix-password-1";

    /**
     * Routes that need no permission, with why. {@code PUBLIC}: reached before sign-in.
     * {@code SIGNED_IN}: every signed-in person (their own home and its setup checklist, the switcher, the D-14 switch, which
     * checks {@code SUBACCOUNTS} itself). {@code OPERATOR}: the platform operator's console and API.
     * {@code SECOND_STEP}: the sign-in's code step, reached only with the right password (ADR 0019).
     * Two-factor pages are a person's own setting; the owner-only requirement checks ownership itself.
     * {@code API_KEY}: every key of the account (sending and reading its own messages and account).
     */
    /**
     * Acts only a master does, whatever permission a sub-account's collaborator holds: a master adds,
     * changes, revokes and rotates the keys of its tree (D-17). From a sub-account they answer 403 (or
     * 404 for an id it cannot see), as the SUBACCOUNTS pages do. Likewise the master's view of its
     * sub-accounts' campaigns (D-25): a sub-account has no sub-accounts to look across. And the
     * subscription of the tree: only the master changes its plan or caps a sub-account's share (D-31).
     */
    private static final Set<String> MASTERS_ONLY = Set.of("POST /keys", "POST /keys/{id}/edit",
            "POST /keys/{id}/revoke", "POST /keys/{id}/rotate", "GET /campaigns/subaccounts",
            "GET /campaigns/subaccounts/{account}/{id}/report", "GET /campaigns/subaccounts/{account}/{id}/report.csv",
            "POST /account/billing/plan", "POST /account/billing/caps/{id}");

    private static final Map<String, String> PERMISSION_FREE = Map.ofEntries(
            Map.entry("GET /", "PUBLIC"), Map.entry("GET /login", "PUBLIC"),
            Map.entry("GET /forgot-password", "PUBLIC"), Map.entry("POST /forgot-password", "PUBLIC"),
            Map.entry("GET /reset-password", "PUBLIC"), Map.entry("POST /reset-password", "PUBLIC"),
            Map.entry("GET /signup", "PUBLIC"), Map.entry("POST /signup", "PUBLIC"),
            Map.entry("GET /check-email", "PUBLIC"), Map.entry("POST /resend-verification", "PUBLIC"),
            Map.entry("GET /verify", "PUBLIC"), Map.entry("POST /verify", "PUBLIC"),
            Map.entry("GET /senders/confirm", "PUBLIC"), Map.entry("POST /senders/confirm", "PUBLIC"),
            Map.entry("GET /invitations/accept", "PUBLIC"), Map.entry("POST /invitations/accept", "PUBLIC"),
            Map.entry("GET /i/{token}", "PUBLIC"), Map.entry("* /error", "PUBLIC"),
            Map.entry("GET /dev/mailbox", "PUBLIC"),
            Map.entry("GET /login/code", "SECOND_STEP"), Map.entry("POST /login/code", "SECOND_STEP"),
            Map.entry("GET /profile/two-factor", "SIGNED_IN"), Map.entry("POST /profile/two-factor/start", "SIGNED_IN"),
            Map.entry("POST /profile/two-factor/confirm", "SIGNED_IN"),
            Map.entry("POST /profile/two-factor/disable", "SIGNED_IN"),
            Map.entry("POST /profile/two-factor/requirement", "SIGNED_IN"),
            Map.entry("GET /u/{token}", "PUBLIC"), Map.entry("POST /u/{token}", "PUBLIC"),
            Map.entry("GET /home", "SIGNED_IN"), Map.entry("POST /accounts/{id}/choose", "SIGNED_IN"),
            Map.entry("POST /setup-checklist/dismiss", "SIGNED_IN"),
            Map.entry("POST /subaccounts/{id}/open", "SIGNED_IN"), Map.entry("POST /back-to-main", "SIGNED_IN"),
            Map.entry("GET /platform", "OPERATOR"), Map.entry("POST /platform/masters/{id}", "OPERATOR"),
            Map.entry("GET /platform/reputation", "OPERATOR"),
            Map.entry("GET /platform/billing", "OPERATOR"), Map.entry("POST /platform/billing/prices/{code}", "OPERATOR"),
            Map.entry("POST /platform/billing/top-ups", "OPERATOR"), Map.entry("POST /platform/billing/issue", "OPERATOR"),
            Map.entry("GET /api/platform/v1/billing/invoices", "OPERATOR"),
            Map.entry("GET /api/platform/v1/billing/plan-prices", "OPERATOR"),
            Map.entry("PUT /api/platform/v1/billing/plan-prices/{code}", "OPERATOR"),
            Map.entry("POST /api/platform/v1/billing/invoices/issue", "OPERATOR"),
            Map.entry("POST /api/platform/v1/billing/invoices/{id}/credit-notes", "OPERATOR"),
            Map.entry("POST /api/platform/v1/billing/masters/{id}/top-ups", "OPERATOR"), Map.entry("POST /platform/reputation/thresholds", "OPERATOR"),
            Map.entry("POST /platform/reputation/keys/{id}/resume", "OPERATOR"),
            Map.entry("POST /api/platform/v1/masters", "OPERATOR"), Map.entry("GET /api/platform/v1/masters", "OPERATOR"),
            Map.entry("GET /api/platform/v1/masters/{id}", "OPERATOR"),
            Map.entry("PATCH /api/platform/v1/masters/{id}", "OPERATOR"),
            Map.entry("POST /api/v1/send", "API_KEY"), Map.entry("GET /api/v1/messages/{id}", "API_KEY"),
            Map.entry("GET /api/v1/messages", "API_KEY"), Map.entry("GET /api/v1/account", "API_KEY"));

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mapping;

    /** One route: method, path pattern and the permission it declares (null when it declares none). */
    record Route(String method, String pattern, Permission permission) {

        String key() {
            return method + " " + pattern;
        }

        boolean api() {
            return pattern.startsWith("/api/");
        }
    }

    @Test
    @DisplayName("D-23: every route declares its permission, or is one of the listed permission-free routes")
    void d23EveryRouteDeclaresAPermission() {
        List<Route> routes = routes();
        assertThat(routes).hasSizeGreaterThan(50);
        List<String> undeclared = routes.stream().filter(r -> r.permission() == null)
                .map(Route::key).filter(k -> !PERMISSION_FREE.containsKey(k) && !PERMISSION_FREE.containsKey("* " + k.substring(k.indexOf(' ') + 1)))
                .sorted().toList();
        assertThat(undeclared).as("routes without @RequiresPermission and not listed as permission-free").isEmpty();
        Set<String> keys = routes.stream().map(Route::key).collect(Collectors.toSet());
        Set<String> stale = PERMISSION_FREE.keySet().stream().filter(k -> !k.startsWith("* ") && !keys.contains(k))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(stale).as("permission-free entries that no longer match a route").isEmpty();
        assertThat(routes.stream().filter(r -> r.permission() != null && PERMISSION_FREE.containsKey(r.key())))
                .as("a listed route that declares a permission after all").isEmpty();
    }

    @Test
    @DisplayName("D-22, D-23, D-24, D-12: the matrix of every page and endpoint against every kind of caller")
    void d22d23d24AccessMatrix() {
        Master master = master("pro-5000");
        String masterOwner = jdbc.sql("select email from app_user where account_id = ? and role = 'OWNER'")
                .param(UUID.fromString(master.id())).query(String.class).single();
        JsonNode subA = createSubaccount(master.api(), "Matrix Alpha", uniqueEmail("alpha"), null, 500).json();
        JsonNode subB = createSubaccount(master.api(), "Matrix Sibling Bravo", uniqueEmail("bravo"), null, 500).json();
        JsonNode subC = createSubaccount(master.api(), "Matrix Charlie", uniqueEmail("charlie"), null, 500).json();
        String a = subA.get("subaccount").get("id").asString();
        String b = subB.get("subaccount").get("id").asString();
        String c = subC.get("subaccount").get("id").asString();
        Api keyA = Api.withKey(port, subA.get("apiKey"));
        Api keyB = Api.withKey(port, subB.get("apiKey"));
        Api keyC = Api.withKey(port, subC.get("apiKey"));
        // Something of the sibling's own to leak, if anything leaked.
        keyB.post("/api/v1/lists", "{\"name\":\"Bravo secret list\"}");

        Map<Permission, WebSession> onlyOnSub = new EnumMap<>(Permission.class);
        Map<Permission, WebSession> allButOnSub = new EnumMap<>(Permission.class);
        Map<Permission, WebSession> onlyOnMaster = new EnumMap<>(Permission.class);
        Map<Permission, WebSession> allButOnMaster = new EnumMap<>(Permission.class);
        for (Permission p : Permission.values()) {
            onlyOnSub.put(p, collaborator(master.api(), a, EnumSet.of(p)));
            allButOnSub.put(p, collaborator(master.api(), a, EnumSet.complementOf(EnumSet.of(p))));
            onlyOnMaster.put(p, collaborator(master.api(), master.id(), EnumSet.of(p)));
            allButOnMaster.put(p, collaborator(master.api(), master.id(), EnumSet.complementOf(EnumSet.of(p))));
        }
        String revokedEmail = uniqueEmail("revoked");
        WebSession revoked = collaborator(master.api(), a, revokedEmail, Permission.all());
        String revokedId = jdbc.sql("select cast(id as varchar(36)) from app_user where email = ?").param(revokedEmail)
                .query(String.class).single();
        WebSession deactivated = collaborator(master.api(), c, uniqueEmail("deactivated"), Permission.all());

        assertThat(master.api().post("/api/v1/subaccounts/" + c + "/deactivate", null).status()).isEqualTo(200);
        SoftAssertions soft = new SoftAssertions();
        List<Route> routes = routes();
        int checked = 0;
        for (Route route : routes) {
            if (route.permission() == null) {
                continue;
            }
            if (route.api()) {
                checked += apiRow(soft, route, keyA, keyC, b, masterOwner);
            } else {
                checked += pageRow(soft, route, onlyOnSub, allButOnSub, onlyOnMaster, allButOnMaster, master.id(), b,
                        masterOwner);
            }
        }
        // A revoked grant and a deactivated sub-account: signed out on their next request, whatever it is.
        assertThat(master.api().send("DELETE", "/api/v1/members/" + revokedId + "?accountId=" + a, null).status())
                .isEqualTo(204);
        for (Route route : routes.stream().filter(r -> r.permission() != null && !r.api() && r.method().equals("GET"))
                .toList()) {
            WebSession.Page out = revoked.get(fill(route.pattern(), UUID.randomUUID().toString()));
            soft.assertThat(out.status()).as("revoked grant " + route.key()).isEqualTo(302);
            revoked = freshRevoked(master, a, revokedEmail, out, soft, route);
            WebSession.Page gone = deactivated.get(fill(route.pattern(), UUID.randomUUID().toString()));
            soft.assertThat(gone.status() + " " + gone.path()).as("deactivated " + route.key())
                    .startsWith("302 /login");
            checked += 2;
        }
        soft.assertThat(master.api().get("/api/v1/subaccounts/" + b).json().get("status").asString())
                .as("the sibling is untouched by the matrix").isEqualTo("ACTIVE");
        soft.assertAll();
        assertThat(checked).isGreaterThan(200);
    }

    /** The revoked session is signed out for good after its first request; later rows sign in anew to probe. */
    private WebSession freshRevoked(Master master, String a, String email, WebSession.Page out, SoftAssertions soft,
            Route route) {
        soft.assertThat(out.path()).as("revoked grant " + route.key()).isIn("/login?error=revoked", "/login");
        WebSession again = new WebSession(port);
        soft.assertThat(again.signIn(email, PASSWORD)).as("no grant left: no way in").endsWith("/login?error=revoked");
        return again;
    }

    private int pageRow(SoftAssertions soft, Route route, Map<Permission, WebSession> onlyOnSub,
            Map<Permission, WebSession> allButOnSub, Map<Permission, WebSession> onlyOnMaster,
            Map<Permission, WebSession> allButOnMaster, String masterId, String sibling, String masterOwner) {
        Permission p = route.permission();
        String siblingPath = fill(route.pattern(), sibling);
        String randomPath = fill(route.pattern(), UUID.randomUUID().toString());
        boolean hasVariables = route.pattern().contains("{");
        // Without the permission: 403, on the sub-account and on the master alike.
        soft.assertThat(send(allButOnSub.get(p), route.method(), siblingPath).status())
                .as("without %s on a sub-account: %s", p, route.key()).isEqualTo(403);
        soft.assertThat(send(allButOnMaster.get(p), route.method(), randomPath).status())
                .as("without %s on the master: %s", p, route.key()).isEqualTo(403);
        // With only that permission, on a sub-account: a master's page stays refused (D-22); others open, or
        // refuse a sibling's ids without showing its data.
        WebSession.Page sub = send(onlyOnSub.get(p), route.method(), hasVariables ? siblingPath : randomPath);
        soft.assertThat(sub.status()).as("with %s on a sub-account: %s", p, route.key()).isLessThan(500);
        if (p == Permission.SUBACCOUNTS || MASTERS_ONLY.contains(route.key())) {
            soft.assertThat(sub.status()).as("a master's page from a sub-account: " + route.key()).isIn(403, 404);
        } else if (hasVariables) {
            soft.assertThat(sub.status()).as("a sibling's id from a sub-account: " + route.key()).isNotIn(200, 403);
        } else if (route.method().equals("GET")) {
            // A page or its redirect to the page it belongs with (such as an upload form's GET).
            soft.assertThat(sub.status()).as("with %s on a sub-account: %s", p, route.key()).isIn(200, 302, 303);
        } else {
            soft.assertThat(sub.status()).as("with %s on a sub-account: %s", p, route.key()).isNotEqualTo(403);
        }
        // The request's own path (echoed as a problem's instance) is no leak: it is what the caller sent.
        String subBody = sub.body().replace(hasVariables ? siblingPath : randomPath, "");
        soft.assertThat(subBody).as("no other account's data: " + route.key()).doesNotContain("Bravo")
                .doesNotContain(sibling).doesNotContain(masterOwner).doesNotContain(masterId);
        soft.assertThat(sub.path()).as("still signed in: " + route.key()).doesNotStartWith("/login");
        // With only that permission, on the master: never 403, never 500.
        WebSession.Page onMaster = send(onlyOnMaster.get(p), route.method(), randomPath);
        soft.assertThat(onMaster.status()).as("with %s on the master: %s", p, route.key()).isLessThan(500)
                .isNotEqualTo(403);
        if (!hasVariables && route.method().equals("GET")) {
            soft.assertThat(onMaster.status()).as("with %s on the master: %s", p, route.key()).isIn(200, 302, 303);
            soft.assertThat(onMaster.path()).as("still signed in: " + route.key()).doesNotStartWith("/login");
        }
        return 5;
    }

    private int apiRow(SoftAssertions soft, Route route, Api keyA, Api deactivatedKey, String sibling,
            String masterOwner) {
        String siblingPath = fill(route.pattern(), sibling);
        boolean body = !route.method().equals("GET") && !route.method().equals("DELETE");
        Api.Response anonymous = Api.anonymous(port).send(route.method(), siblingPath, body ? "{}" : null);
        soft.assertThat(anonymous.status()).as("no key: " + route.key()).isEqualTo(401);
        Api.Response inactive = deactivatedKey.send(route.method(), siblingPath, body ? "{}" : null);
        soft.assertThat(inactive.status()).as("deactivated sub-account's key: " + route.key()).isEqualTo(403);
        Api.Response sub = keyA.send(route.method(), siblingPath, body ? "{}" : null);
        soft.assertThat(sub.status()).as("sub-account key: " + route.key()).isLessThan(500);
        if (route.pattern().contains("{")) {
            soft.assertThat(sub.status() / 100).as("a sibling's id from a sub-account: " + route.key()).isEqualTo(4);
        }
        if (route.permission() == Permission.SUBACCOUNTS) {
            soft.assertThat(sub.status()).as("a master's endpoint from a sub-account: " + route.key()).isIn(400, 403, 404);
        }
        soft.assertThat(sub.body().replace(siblingPath, "")).as("no other account's data: " + route.key())
                .doesNotContain("Bravo").doesNotContain(sibling).doesNotContain(masterOwner);
        return 3;
    }

    private static WebSession.Page send(WebSession session, String method, String path) {
        if (method.equals("GET")) {
            return session.get(path);
        }
        session.get("/home");
        return session.post(path, Map.of());
    }

    /** The path with every variable replaced by {@code value}. */
    private static String fill(String pattern, String value) {
        return pattern.replaceAll("\\{[^}]+}", value);
    }

    private WebSession collaborator(Api masterApi, String account, Set<Permission> permissions) {
        return collaborator(masterApi, account, uniqueEmail("matrix"), permissions);
    }

    private WebSession collaborator(Api masterApi, String account, String email, Set<Permission> permissions) {
        String names = permissions.stream().map(p -> "\"" + p + "\"").collect(Collectors.joining(","));
        Api.Response invited = masterApi.post("/api/v1/invitations",
                "{\"email\":\"" + email + "\",\"accountId\":\"" + account + "\",\"permissions\":[" + names + "]}");
        assertThat(invited.status()).as(invited.body()).isEqualTo(201);
        String link = linkIn(awaitMailTo(email, 1), "/invitations/accept");
        WebSession person = new WebSession(port);
        person.get(link);
        assertThat(person.post("/invitations/accept", Map.of("token", link.substring(link.indexOf("token=") + 6),
                "name", "Matrix", "password", PASSWORD)).path()).isEqualTo("/login?invitationAccepted");
        assertThat(person.signIn(email, PASSWORD)).endsWith("/home");
        return person;
    }

    /** The application's routes, one per method and pattern, with the permission each declares. */
    private List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> entry : mapping.getHandlerMethods().entrySet()) {
            HandlerMethod handler = entry.getValue();
            if (!handler.getBeanType().getPackageName().startsWith("io.mailtree")) {
                continue; // springdoc's own documentation endpoints, public by design
            }
            RequiresPermission required = AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(),
                    RequiresPermission.class);
            if (required == null) {
                required = AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(), RequiresPermission.class);
            }
            Set<RequestMethod> methods = entry.getKey().getMethodsCondition().getMethods();
            for (String pattern : entry.getKey().getPatternValues()) {
                for (String method : methods.isEmpty() ? Set.of("*")
                        : methods.stream().map(Enum::name).collect(Collectors.toSet())) {
                    routes.add(new Route(method, pattern, required == null ? null : required.value()));
                }
            }
        }
        Map<String, Route> unique = new LinkedHashMap<>();
        routes.stream().sorted(java.util.Comparator.comparing(Route::key)).forEach(r -> unique.putIfAbsent(r.key(), r));
        return List.copyOf(unique.values());
    }
}
