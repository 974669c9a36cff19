package io.mailtree.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** CSV imports: idempotent, precise about bad rows, bounded, and never half-written. */
class ContactImportIntegrationTests extends ContactsTestSupport {

    @Test
    @DisplayName("Re-importing the same file changes nothing")
    void reimportIsANoOp() {
        Master master = master("lite-5000");
        Api api = master.api();
        long list = api.post("/api/v1/lists", "{\"name\":\"Again\"}").json().get("id").asLong();
        String csv = "email,name,city\n" + rows(0, 300, "example.test").replace("\n", ",Kyoto\n");
        JsonNode first = importCsv(api, csv, Map.of("listId", String.valueOf(list)));
        assertThat(first.get("rowsCreated").asInt()).isEqualTo(300);
        String updatedAt = api.get("/api/v1/contacts?limit=1").json().get("items").get(0).get("updatedAt").asString();

        JsonNode second = importCsv(api, csv, Map.of("listId", String.valueOf(list)));
        assertThat(second.get("status").asString()).isEqualTo("DONE");
        assertThat(second.get("rowsCreated").asInt()).isZero();
        assertThat(second.get("rowsUpdated").asInt()).isZero();
        assertThat(second.get("rowsUnchanged").asInt()).isEqualTo(300);
        assertThat(contactRows(master.id())).isEqualTo(300);
        assertThat(ownActiveContacts(api)).isEqualTo(300);
        assertThat(api.get("/api/v1/lists/" + list).json().get("memberCount").asInt()).isEqualTo(300);
        assertThat(api.get("/api/v1/contacts?limit=1").json().get("items").get(0).get("updatedAt").asString())
                .isEqualTo(updatedAt);

        JsonNode changed = importCsv(api, "email,city\nperson5@example.test,Osaka\n", Map.of());
        assertThat(changed.get("rowsUpdated").asInt()).isEqualTo(1);
        JsonNode person5 = api.get("/api/v1/contacts?q=person5@").json().get("items").get(0);
        assertThat(person5.get("properties").get("city").asString()).isEqualTo("Osaka");
        assertThat(person5.get("name").asString()).as("a column the file lacks keeps its value").isEqualTo("Person 5");
    }

    @Test
    @DisplayName("Invalid rows are skipped and reported with line number and reason; the others are imported")
    void invalidRowsReported() {
        Master master = master("lite-5000");
        Api api = master.api();
        String csv = "E-mail;Nom;Birthday\n"
                + "good1@example.test;Good One;1990-01-02\n"
                + "not-an-address;Bad;1990-01-02\n"
                + ";No address;\n"
                + "\"quoted@example.test\";\"Smith; John\";\n"
                + "newline@example.test;\"Line\nbreak\";\n"
                + "idn@bücher.de;Umlaut;\n"
                + "good2@example.test;Good Two;1990-01-02\n";
        JsonNode job = importCsv(api, csv, Map.of());
        assertThat(job.get("status").asString()).isEqualTo("DONE");
        assertThat(job.get("rowsTotal").asInt()).isEqualTo(7);
        assertThat(job.get("rowsImported").asInt()).isEqualTo(4);
        assertThat(job.get("rowsInvalid").asInt()).isEqualTo(3);
        String report = api.get("/api/v1/imports/" + job.get("id").asString() + "/errors").body();
        assertThat(report).contains("3,\"not-an-address\",invalid_email").contains("4,\"\",missing_email")
                .contains("6,\"newline@example.test\",invalid_name");
        JsonNode quoted = api.get("/api/v1/contacts?q=quoted").json().get("items").get(0);
        assertThat(quoted.get("name").asString()).isEqualTo("Smith; John");
        assertThat(api.get("/api/v1/contacts?q=idn@").json().get("items").get(0).get("email").asString())
                .isEqualTo("idn@bücher.de");
        assertThat(api.get("/api/v1/contacts?q=good1").json().get("items").get(0).get("properties").get("birthday")
                .asString()).isEqualTo("1990-01-02");
    }

    @Test
    @DisplayName("A file that is not UTF-8 is refused and says so; with its charset declared it imports")
    void charsetDetection() {
        Master master = master("lite-5000");
        Api api = master.api();
        byte[] latin1 = "email,name\nzoe@example.test,Zoé Mañana\n".getBytes(Charset.forName("windows-1252"));
        JsonNode refused = importBytes(api, latin1, Map.of());
        assertThat(refused.get("status").asString()).isEqualTo("REFUSED");
        assertThat(refused.get("code").asString()).isEqualTo("not_utf8");
        assertThat(contactRows(master.id())).isZero();

        JsonNode accepted = importBytes(api, latin1, Map.of("charset", "windows-1252"));
        assertThat(accepted.get("status").asString()).isEqualTo("DONE");
        assertThat(api.get("/api/v1/contacts?q=zoe").json().get("items").get(0).get("name").asString())
                .isEqualTo("Zoé Mañana");
        byte[] sjis = "email,name\nyamada@example.test,山田太郎\n".getBytes(Charset.forName("Shift_JIS"));
        assertThat(importBytes(api, sjis, Map.of("charset", "Shift_JIS")).get("status").asString()).isEqualTo("DONE");
        byte[] bom = ("\uFEFFemail\nbom@example.test\n").getBytes(StandardCharsets.UTF_8);
        assertThat(importBytes(api, bom, Map.of()).get("rowsImported").asInt()).isEqualTo(1);
    }

    @Test
    @DisplayName("No address column, an empty file, a bad mapping or charset: clear refusals, nothing written")
    void refusedFiles() {
        Master master = master("lite-5000");
        Api api = master.api();
        JsonNode noEmail = importCsv(api, "first,last\nA,B\n", Map.of());
        assertThat(noEmail.get("status").asString()).isEqualTo("REFUSED");
        assertThat(noEmail.get("code").asString()).isEqualTo("no_email_column");
        assertThat(api.postMultipart("/api/v1/imports", Map.of(), "empty.csv", new byte[0]).code()).isEqualTo("empty_file");
        assertThat(api.postMultipart("/api/v1/imports", Map.of("mapping", "{not json"), "a.csv", "email\n".getBytes())
                .code()).isEqualTo("invalid_mapping");
        assertThat(api.postMultipart("/api/v1/imports", Map.of("charset", "klingon-8"), "a.csv", "email\n".getBytes())
                .code()).isEqualTo("unsupported_charset");
        assertThat(api.postMultipart("/api/v1/imports", Map.of("listId", "999999999"), "a.csv", "email\n".getBytes())
                .status()).isEqualTo(404);
        assertThat(contactRows(master.id())).isZero();
        assertThat(api.get("/api/v1/contact-properties").json().get("items").size()).isZero();
    }

    @Test
    @DisplayName("A 1 MB line is one invalid row; 100,000 bad rows are all reported; memory stays bounded")
    void hostileFiles() {
        Master master = master("lite-5000");
        Api api = master.api();
        String hugeLine = "email,name\nfirst@example.test,A\nhuge@example.test," + "x".repeat(1_000_000)
                + "\nlast@example.test,B\n";
        JsonNode job = importCsv(api, hugeLine, Map.of());
        assertThat(job.get("rowsImported").asInt()).isEqualTo(2);
        assertThat(job.get("rowsInvalid").asInt()).isEqualTo(1);
        assertThat(api.get("/api/v1/imports/" + job.get("id").asString() + "/errors").body())
                .contains("3,\"\",line_too_long");

        StringBuilder bad = new StringBuilder("email\n");
        for (int i = 0; i < 100_000; i++) {
            bad.append("bad-").append(i).append('\n');
        }
        JsonNode allBad = importCsv(api, bad.toString(), Map.of());
        assertThat(allBad.get("status").asString()).isEqualTo("DONE");
        assertThat(allBad.get("rowsInvalid").asInt()).isEqualTo(100_000);
        assertThat(allBad.get("rowsImported").asInt()).isZero();
        String report = api.get("/api/v1/imports/" + allBad.get("id").asString() + "/errors").body();
        assertThat(report.lines().count()).isEqualTo(100_001);
    }

    @Test
    @DisplayName("Explicit mapping: columns go where the caller says, new properties are created")
    void explicitMapping() {
        Master master = master("lite-5000");
        Api api = master.api();
        JsonNode job = importCsv(api, "Courriel,Prénom,Ville,Secret\nmap@example.test,Marie,Nantes,xyz\n",
                Map.of("mapping", "{\"Courriel\":\"email\",\"Prénom\":\"name\",\"Ville\":\"property:city\","
                        + "\"Secret\":\"ignore\"}"));
        assertThat(job.get("status").asString()).isEqualTo("DONE");
        JsonNode contact = api.get("/api/v1/contacts?q=map@").json().get("items").get(0);
        assertThat(contact.get("name").asString()).isEqualTo("Marie");
        assertThat(contact.get("properties").get("city").asString()).isEqualTo("Nantes");
        assertThat(contact.get("properties").has("secret")).isFalse();
    }
}
