import java.io.BufferedWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Contacts benchmark against a running Mailtree (started by bench/contacts.sh). JDK only.
 * Prints: import rows/s and the server's peak heap, a plain COPY of the same file into a bare
 * table and the ratio, the time to share a 100,000-contact list with 10 sub-accounts, and the
 * latency of keyset pages from the first to the last of 1,000,000 contacts.
 */
public class ContactsBench {

    static String base;
    static String token;
    static String auth;

    public static void main(String[] args) throws Exception {
        base = args[0];
        int rows = Integer.parseInt(args[1]);
        token = System.getenv("BENCH_OPERATOR_TOKEN");
        Path work = Path.of(System.getenv("BENCH_WORK"));
        String psql = System.getenv("BENCH_PSQL");

        Path csv = work.resolve("contacts.csv");
        generate(csv, "user", rows);
        System.out.printf("file: %,d rows, %.1f MB%n", rows, Files.size(csv) / 1e6);

        // Baseline: the same file COPY'd into a bare table (no index) of the same database.
        run(psql + " -q -c \"drop table if exists bench_bare\" -c \"create table bench_bare (email text, first_name text, last_name text, city text)\"");
        long copyStart = System.nanoTime();
        run(psql + " -q -c \"\\copy bench_bare from '" + csv + "' with (format csv, header)\"");
        double copySeconds = (System.nanoTime() - copyStart) / 1e9;
        run(psql + " -q -c \"drop table bench_bare\"");

        // A master with room for everything.
        String created = Bench.send(base, "POST", "/api/platform/v1/masters", "Bearer " + token,
                "{\"name\":\"Bench contacts\",\"ownerEmail\":\"bench-contacts@example.test\",\"plan\":\"enterprise\"}", 201);
        String masterId = Bench.group(created, "\"master\":\\{\"id\":\"([^\"]+)\"");
        Bench.send(base, "PATCH", "/api/platform/v1/masters/" + masterId, "Bearer " + token, "{\"enterpriseContactLimit\":10000000}", 200);
        auth = "Basic " + Base64.getEncoder().encodeToString((Bench.group(created, "\"publicKey\":\"([^\"]+)\"") + ":"
                + Bench.group(created, "\"secret\":\"([^\"]+)\"")).getBytes(StandardCharsets.UTF_8));

        // 1. The import, watching the server's heap.
        HeapWatcher heap = new HeapWatcher();
        heap.start();
        long uploadStart = System.nanoTime();
        String job = Bench.upload(base, auth, csv, null);
        long accepted = System.nanoTime();
        String done = Bench.awaitImport(base, auth, Bench.group(job, "\"id\":\"([^\"]+)\""));
        long finished = System.nanoTime();
        heap.interrupt();
        heap.join();
        double importSeconds = (finished - accepted) / 1e9;
        System.out.printf("import: status=%s created=%s invalid=%s upload=%.1f s import=%.1f s rate=%,.0f rows/s "
                + "(%,.0f rows/s counting the upload)%n", Bench.group(done, "\"status\":\"([A-Z]+)\""),
                Bench.group(done, "\"rowsCreated\":(\\d+)"), Bench.group(done, "\"rowsInvalid\":(\\d+)"),
                (accepted - uploadStart) / 1e9, importSeconds, rows / importSeconds, rows / ((finished - uploadStart) / 1e9));
        System.out.printf("import: server peak heap used %.0f MB (of -Xmx512m)%n", heap.peak.get() / 1e6);
        System.out.printf("copy: plain COPY into a bare table %.1f s, %,.0f rows/s; import/COPY = %.2f%n", copySeconds,
                rows / copySeconds, copySeconds / importSeconds);

        // 2. Share a 100,000-contact list with 10 sub-accounts.
        int listSize = Math.min(100_000, rows);
        Path listCsv = work.resolve("list.csv");
        generate(listCsv, "member", listSize);
        String list = Bench.send(base, "POST", "/api/v1/lists", auth, "{\"name\":\"Bench list\"}", 201);
        String listId = Bench.group(list, "\"id\":(\\d+)");
        String listJob = Bench.upload(base, auth, listCsv, listId);
        Bench.awaitImport(base, auth, Bench.group(listJob, "\"id\":\"([^\"]+)\""));
        List<String> subs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String sub = Bench.send(base, "POST", "/api/v1/subaccounts", auth, "{\"name\":\"Bench sub " + i
                    + "\",\"ownerEmail\":\"bench-sub-" + i + "@example.test\",\"contactAllocation\":100000}", 201);
            subs.add(Bench.group(sub, "\"subaccount\":\\{\"id\":\"([^\"]+)\""));
        }
        long shareStart = System.nanoTime();
        String shared = Bench.send(base, "POST", "/api/v1/lists/" + listId + "/share", auth,
                "{\"subaccountIds\":[\"" + String.join("\",\"", subs) + "\"]}", 200);
        double shareSeconds = (System.nanoTime() - shareStart) / 1e9;
        int ok = Bench.count(shared, "\"status\":\"shared\"");
        System.out.printf("share: %,d-contact list with %d sub-accounts in %.1f s (%d shared)%n", listSize, subs.size(),
                shareSeconds, ok);

        // 3. Keyset paging through every contact of the master, first page to last.
        List<Double> latencies = new ArrayList<>();
        String cursor = null;
        long seen = 0;
        do {
            long start = System.nanoTime();
            String page = Bench.send(base, "GET", "/api/v1/contacts?limit=100" + (cursor == null ? "" : "&cursor=" + cursor), auth,
                    null, 200);
            latencies.add((System.nanoTime() - start) / 1e6);
            seen += Bench.count(page, "\"email\":");
            Matcher next = Pattern.compile("\"nextCursor\":\"([^\"]+)\"").matcher(page);
            cursor = next.find() ? next.group(1) : null;
        } while (cursor != null);
        int tenth = Math.max(1, latencies.size() / 10);
        System.out.printf("paging: %,d contacts in %,d pages; all p50=%.1f ms p99=%.1f ms%n", seen, latencies.size(),
                percentile(latencies, 50), percentile(latencies, 99));
        System.out.printf("paging: first tenth p50=%.1f ms p99=%.1f ms; last tenth p50=%.1f ms p99=%.1f ms%n",
                percentile(latencies.subList(0, tenth), 50), percentile(latencies.subList(0, tenth), 99),
                percentile(latencies.subList(latencies.size() - tenth, latencies.size()), 50),
                percentile(latencies.subList(latencies.size() - tenth, latencies.size()), 99));
    }

    static void generate(Path file, String prefix, int rows) throws Exception {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("email,first_name,last_name,city\n");
            for (int i = 0; i < rows; i++) {
                out.write(prefix + i + "@example" + (i % 97) + ".test,First" + i + ",Last" + i + ",City" + (i % 500) + "\n");
            }
        }
    }

    /** Samples the server's heap use from its Prometheus endpoint every 100 ms. */
    static final class HeapWatcher extends Thread {
        final AtomicLong peak = new AtomicLong();

        @Override
        public void run() {
            Pattern used = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.E+]+)", Pattern.MULTILINE);
            while (!isInterrupted()) {
                try {
                    String metrics = Bench.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    Matcher m = used.matcher(metrics);
                    double sum = 0;
                    while (m.find()) {
                        sum += Double.parseDouble(m.group(1));
                    }
                    peak.accumulateAndGet((long) sum, Math::max);
                    Thread.sleep(100);
                } catch (InterruptedException stop) {
                    return;
                } catch (Exception ignored) {
                    // a missed sample is fine
                }
            }
        }
    }

    static void run(String command) throws Exception {
        Process process = new ProcessBuilder("bash", "-c", command).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("failed: " + command);
        }
    }

    static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100 * sorted.size()) - 1));
    }
}
