package io.mailtree.contacts;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Helpers for the contacts tests: imports run to completion, counts read back. */
abstract class ContactsTestSupport extends MailtreeTestBase {

    /** Uploads a CSV and waits for the import to finish; answers the finished job. */
    protected JsonNode importCsv(Api api, String csv, Map<String, String> fields) {
        return importBytes(api, csv.getBytes(StandardCharsets.UTF_8), fields);
    }

    protected JsonNode importBytes(Api api, byte[] content, Map<String, String> fields) {
        Api.Response started = api.postMultipart("/api/v1/imports", fields, "contacts.csv", content);
        if (started.status() != 202) {
            throw new AssertionError("import not accepted: " + started);
        }
        String id = started.json().get("id").asString();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            JsonNode job = api.get("/api/v1/imports/" + id).json();
            if (!job.get("status").asString().equals("RUNNING")) {
                return job;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("import " + id + " did not finish");
    }

    protected int ownActiveContacts(Api api) {
        return allowance(api).get("ownActiveContacts").asInt();
    }

    protected long contactRows(String accountId) {
        return jdbc.sql("select count(*) from contact where account_id = ?").param(java.util.UUID.fromString(accountId))
                .query(Long.class).single();
    }

    protected static String rows(int from, int count, String domain) {
        StringBuilder csv = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            csv.append("person").append(i).append('@').append(domain).append(",Person ").append(i).append('\n');
        }
        return csv.toString();
    }
}
