package io.mailtree.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The active-contact counter under concurrent deletes, and the per-account cap on running imports. */
class ContactHardeningIntegrationTests extends ContactsTestSupport {

    @Test
    @DisplayName("D-7: two concurrent deletes of one contact give its place in the allowance back once")
    void d7ConcurrentDeletesOfOneContactDecrementOnce() throws Exception {
        Api api = master("pro-1000").api();
        long list = api.post("/api/v1/lists", "{\"name\":\"L\"}").json().get("id").asLong();
        List<Long> contacts = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            contacts.add(api.post("/api/v1/contacts", "{\"email\":\"c" + i + "-" + UUID.randomUUID()
                    + "@example.test\"}").json().get("id").asLong());
        }
        api.post("/api/v1/lists/" + list + "/contacts", "{\"contactIds\":" + contacts + "}");
        assertThat(api.get("/api/v1/lists/" + list).json().get("memberCount").asInt()).isEqualTo(25);
        // A contact that stays, so the counter cannot hide a drift by stopping at zero.
        api.post("/api/v1/contacts", "{\"email\":\"stays-" + UUID.randomUUID() + "@example.test\"}");
        assertThat(ownActiveContacts(api)).isEqualTo(26);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (long contact : contacts) {
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<Integer>> deletes = new ArrayList<>();
                for (int twice = 0; twice < 2; twice++) {
                    deletes.add(threads.submit(() -> {
                        together.await();
                        return api.send("DELETE", "/api/v1/contacts/" + contact, null).status();
                    }));
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> delete : deletes) {
                    statuses.add(delete.get());
                }
                assertThat(statuses).contains(204).allMatch(status -> status == 204 || status == 404);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(ownActiveContacts(api)).isEqualTo(1);
        assertThat(api.get("/api/v1/lists/" + list).json().get("memberCount").asInt()).isZero();
    }

    @Test
    @DisplayName("An account with three imports running is refused a fourth with too_many_imports")
    void aFourthRunningImportIsRefused() {
        Master master = master("pro-1000");
        for (int i = 0; i < 3; i++) {
            // Jobs still queued or running: a real import of a few rows would finish before the next call.
            jdbc.sql("""
                    insert into contact_import (id, account_id, status, phase, file_name, bytes_total, created_by, created_at)
                    values (?, ?, 'RUNNING', 'READING', 'big.csv', 1000, 'test', ?)""")
                    .params(UUID.randomUUID(), UUID.fromString(master.id()),
                            io.mailtree.shared.Times.sql(Instant.now())).update();
        }
        Api.Response refused = master.api().postMultipart("/api/v1/imports", Map.of(), "contacts.csv",
                "email\nana@example.test\n".getBytes());
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.code()).isEqualTo("too_many_imports");
        assertThat(ownActiveContacts(master.api())).isZero();
        assertThat(jdbc.sql("select count(*) from contact_import where account_id = ?")
                .param(UUID.fromString(master.id())).query(Long.class).single()).isEqualTo(3);

        Master other = master("pro-1000");
        assertThat(importCsv(other.api(), "email\nana@example.test\n", Map.of()).get("status").asString())
                .isEqualTo("DONE");
    }
}
