package io.mailtree.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import io.mailtree.support.WebSession;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * D-32 over real HTTP and PostgreSQL: adding, changing and deleting a sender, a domain, a list, a
 * template, an image and an e-mail are written to the audit log, with the person or key who acted,
 * the account the credential belongs to, the account acted on and the context.
 */
class AdministrativeActsAuditIntegrationTests extends MailtreeTestBase {

    private static final byte[] PNG = java.util.Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
    private static final byte[] PDF = ("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
            + "2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n").getBytes();

    private Master master;
    private String sub;

    @BeforeEach
    void tree() {
        master = master("pro-5000");
        sub = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();
    }

    @Test
    @DisplayName("D-32: every act on senders, domains, lists, templates, images and e-mails is logged, on behalf of the sub-account with both actors")
    void d32ContentAndSendingActsAreAudited() {
        Api api = master.api().onBehalfOf(sub);
        long sender = created(api.post("/api/v1/senders", "{\"email\":\"news@shop-audit.example\",\"name\":\"Shop\"}"));
        assertThat(api.send("DELETE", "/api/v1/senders/" + sender, null).status()).isEqualTo(204);
        long domain = created(api.post("/api/v1/domains", "{\"domain\":\"shop-audit.example\"}"));
        assertThat(api.patch("/api/v1/domains/" + domain, "{\"ed25519\":true}").status()).isEqualTo(200);
        assertThat(api.send("DELETE", "/api/v1/domains/" + domain, null).status()).isEqualTo(204);
        long list = created(api.post("/api/v1/lists", "{\"name\":\"Customers\"}"));
        assertThat(api.patch("/api/v1/lists/" + list, "{\"name\":\"Buyers\"}").status()).isEqualTo(200);
        assertThat(api.send("DELETE", "/api/v1/lists/" + list, null).status()).isEqualTo(204);
        long template = created(api.post("/api/v1/templates",
                "{\"name\":\"Welcome\",\"subject\":\"Hi\",\"html\":\"<p>Hello</p>\"}"));
        assertThat(api.patch("/api/v1/templates/" + template, "{\"name\":\"Welcome 2\"}").status()).isEqualTo(200);
        assertThat(api.send("DELETE", "/api/v1/templates/" + template, null).status()).isEqualTo(204);
        long image = created(api.postMultipart("/api/v1/images", Map.of(), "logo.png", PNG));
        assertThat(api.send("DELETE", "/api/v1/images/" + image, null).status()).isEqualTo(204);
        long email = created(api.post("/api/v1/emails", "{\"name\":\"Spring sale\"}"));
        assertThat(api.patch("/api/v1/emails/" + email, "{\"subject\":\"Sale\"}").status()).isEqualTo(200);
        long copy = created(api.post("/api/v1/emails/" + email + "/duplicate", null));
        long attachment = created(api.postMultipart("/api/v1/emails/" + email + "/attachments", Map.of(), "terms.pdf", PDF));
        assertThat(api.send("DELETE", "/api/v1/emails/" + email + "/attachments/" + attachment, null).status())
                .isEqualTo(204);
        assertThat(api.send("DELETE", "/api/v1/emails/" + email, null).status()).isEqualTo(204);

        List<Map<String, Object>> rows = rowsOf(sub);
        assertThat(rows).extracting(r -> r.get("action")).containsSubsequence("sender.added", "sender.removed",
                "domain.added", "domain.changed", "domain.removed", "list.created", "list.renamed", "list.deleted",
                "template.created", "template.edited", "template.deleted", "image.uploaded", "image.deleted",
                "email.created", "email.edited", "email.duplicated", "email.attached", "email.detached",
                "email.deleted");
        for (Map<String, Object> row : rows.stream().filter(r -> !"subaccount.created".equals(r.get("action"))
                && !"key.created".equals(r.get("action"))).toList()) {
            assertThat(row.get("context")).as(row.toString()).isEqualTo("ON_BEHALF_OF");
            assertThat(row.get("actor").toString()).as("the master's key that acted").startsWith("mt_pk_");
            assertThat(row.get("actor_account")).as("the account the key belongs to").isEqualTo(master.id());
            assertThat(row.get("root")).as("filed under the master's tree").isEqualTo(master.id());
        }
        assertThat(detail(rows, "sender.added")).isEqualTo("news@shop-audit.example");
        assertThat(detail(rows, "domain.changed")).isEqualTo("shop-audit.example: ed25519=on");
        assertThat(detail(rows, "list.renamed")).isEqualTo("Customers -> Buyers");
        assertThat(detail(rows, "image.deleted")).isEqualTo("logo.png");
        assertThat(detail(rows, "email.attached")).isEqualTo("Spring sale: terms.pdf");
        assertThat(rows.stream().filter(r -> "email.duplicated".equals(r.get("action"))).findFirst().orElseThrow()
                .get("target_id")).isEqualTo(String.valueOf(copy));

        // The master reads all of it in its log; another master reads none of it.
        JsonNode log = master.api().get("/api/v1/audit?size=100").json();
        assertThat(log.toString()).contains("\"action\":\"template.deleted\"").contains("\"action\":\"sender.added\"");
        assertThat(master("pro-5000").api().get("/api/v1/audit?size=100").json().toString())
                .doesNotContain("template.deleted").doesNotContain(sub);
    }

    @Test
    @DisplayName("D-32: a refused act writes no audit entry (nothing half-written)")
    void d32RefusedActIsNotAudited() {
        Api api = master.api();
        created(api.post("/api/v1/senders", "{\"email\":\"twice@shop-audit.example\"}"));
        assertThat(api.post("/api/v1/senders", "{\"email\":\"twice@shop-audit.example\"}").code()).isEqualTo("sender_exists");
        assertThat(api.post("/api/v1/lists", "{\"name\":\"\"}").status()).isEqualTo(400);
        List<Map<String, Object>> rows = rowsOf(master.id());
        assertThat(rows.stream().filter(r -> "sender.added".equals(r.get("action")))).hasSize(1);
        assertThat(rows.stream().filter(r -> "list.created".equals(r.get("action")))).isEmpty();
    }

    @Test
    @DisplayName("D-32: a master switched into a sub-account is logged with its own name, its account and the sub-account, in sentences in en/fr/ja")
    void d32SwitchedMasterActsKeepBothActors() {
        WebSession owner = signInAsOwner(master);
        String ownerEmail = jdbc.sql("select email from app_user where account_id = ? and role = 'OWNER'")
                .param(UUID.fromString(master.id())).query(String.class).single();
        owner.get("/subaccounts");
        assertThat(owner.post("/subaccounts/" + sub + "/open", Map.of()).path()).endsWith("/home");
        owner.get("/senders");
        assertThat(owner.post("/senders", Map.of("email", "switched@shop-audit.example", "name", "Shop")).path())
                .startsWith("/senders");
        owner.get("/lists");
        assertThat(owner.post("/lists", Map.of("name", "Switched list")).status()).isLessThan(400);

        List<Map<String, Object>> rows = rowsOf(sub);
        for (String action : List.of("sender.added", "list.created")) {
            Map<String, Object> row = rows.stream().filter(r -> action.equals(r.get("action"))).findFirst().orElseThrow();
            assertThat(row.get("context")).isEqualTo("SWITCHED");
            assertThat(row.get("actor")).as("the person who acted").isEqualTo(ownerEmail);
            assertThat(row.get("actor_account")).as("the account the person came from").isEqualTo(master.id());
            assertThat(row.get("root")).isEqualTo(master.id());
        }

        owner.get("/home");
        owner.post("/back-to-main", Map.of());
        String english = owner.get("/audit?lang=en&action=sender.added").body();
        assertThat(english).contains(">Added a sender<").contains(">from the main account, inside the sub-account<")
                .contains("switched@shop-audit.example");
        assertThat(owner.get("/audit?lang=fr&action=list.created").body()).contains(">A créé une liste de contacts<");
        assertThat(owner.get("/audit?lang=ja&action=sender.added").body()).contains(">送信者を追加しました<");
    }

    @Test
    @DisplayName("D-32: a collaborator's act in a sub-account is logged with the collaborator and filed under the master")
    void d32CollaboratorActsAreAudited() {
        String email = uniqueEmail("collab");
        UUID userId = UUID.randomUUID();
        jdbc.sql("""
                insert into app_user (id, account_id, email, email_key, password_hash, role, permissions,
                    email_verified_at, created_at)
                values (?, ?, ?, ?, '{noop}collaborator-pass', 'COLLABORATOR', '', now(), now())""")
                .params(userId, UUID.fromString(sub), email, email.toLowerCase()).update();
        // Rights are the grant on the account (membership, ADR 0016).
        jdbc.sql("""
                insert into membership (account_id, user_id, permissions, invited_by, created_at, changed_at)
                values (?, ?, 'CONTACTS,CONTENT', 'test', now(), now())""").params(UUID.fromString(sub), userId)
                .update();
        WebSession collaborator = new WebSession(port);
        assertThat(collaborator.signIn(email, "collaborator-pass")).endsWith("/home");
        collaborator.get("/lists");
        assertThat(collaborator.post("/lists", Map.of("name", "Collaborator list")).status()).isLessThan(400);

        Map<String, Object> row = rowsOf(sub).stream().filter(r -> "list.created".equals(r.get("action")))
                .findFirst().orElseThrow();
        assertThat(row.get("actor")).isEqualTo(email);
        assertThat(row.get("actor_kind")).isEqualTo("USER");
        assertThat(row.get("context")).isEqualTo("DIRECT");
        assertThat(row.get("root")).as("the master sees it in its tree").isEqualTo(master.id());
        assertThat(row.get("detail")).isEqualTo("Collaborator list");
        assertThat(master.api().get("/api/v1/audit?size=100").json().toString()).contains(email);
    }

    private static long created(Api.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asLong();
    }

    private List<Map<String, Object>> rowsOf(String account) {
        return jdbc.sql("""
                select action, actor, actor_kind, context, target_id, detail,
                    cast(actor_account_id as varchar(36)) as actor_account, cast(root_account_id as varchar(36)) as root
                from audit_event where account_id = ? order by id""")
                .param(UUID.fromString(account)).query().listOfRows();
    }

    private static String detail(List<Map<String, Object>> rows, String action) {
        return String.valueOf(rows.stream().filter(r -> action.equals(r.get("action"))).findFirst().orElseThrow()
                .get("detail"));
    }
}
