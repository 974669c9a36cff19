import java.io.BufferedWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
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

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
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
        String created = send("POST", "/api/platform/v1/masters", "Bearer " + token,
                "{\"name\":\"Bench contacts\",\"ownerEmail\":\"bench-contacts@example.test\",\"plan\":\"enterprise\"}", 201);
        String masterId = group(created, "\"master\":\\{\"id\":\"([^\"]+)\"");
        send("PATCH", "/api/platform/v1/masters/" + masterId, "Bearer " + token, "{\"enterpriseContactLimit\":10000000}", 200);
        auth = "Basic " + Base64.getEncoder().encodeToString((group(created, "\"publicKey\":\"([^\"]+)\"") + ":"
                + group(created, "\"secret\":\"([^\"]+)\"")).getBytes(StandardCharsets.UTF_8));

        // 1. The import, watching the server's heap.
        HeapWatcher heap = new HeapWatcher();
        heap.start();
        long uploadStart = System.nanoTime();
        String job = upload(csv, null);
        long accepted = System.nanoTime();
        String done = awaitImport(group(job, "\"id\":\"([^\"]+)\""));
        long finished = System.nanoTime();
        heap.interrupt();
        heap.join();
        double importSeconds = (finished - accepted) / 1e9;
        System.out.printf("import: status=%s created=%s invalid=%s upload=%.1f s import=%.1f s rate=%,.0f rows/s "
                + "(%,.0f rows/s counting the upload)%n", group(done, "\"status\":\"([A-Z]+)\""),
                group(done, "\"rowsCreated\":(\\d+)"), group(done, "\"rowsInvalid\":(\\d+)"),
                (accepted - uploadStart) / 1e9, importSeconds, rows / importSeconds, rows / ((finished - uploadStart) / 1e9));
        System.out.printf("import: server peak heap used %.0f MB (of -Xmx512m)%n", heap.peak.get() / 1e6);
        System.out.printf("copy: plain COPY into a bare table %.1f s, %,.0f rows/s; import/COPY = %.2f%n", copySeconds,
                rows / copySeconds, copySeconds / importSeconds);

        // 2. Share a 100,000-contact list with 10 sub-accounts.
        int listSize = Math.min(100_000, rows);
        Path listCsv = work.resolve("list.csv");
        generate(listCsv, "member", listSize);
        String list = send("POST", "/api/v1/lists", auth, "{\"name\":\"Bench list\"}", 201);
        String listId = group(list, "\"id\":(\\d+)");
        String listJob = upload(listCsv, listId);
        awaitImport(group(listJob, "\"id\":\"([^\"]+)\""));
        List<String> subs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String sub = send("POST", "/api/v1/subaccounts", auth, "{\"name\":\"Bench sub " + i
                    + "\",\"ownerEmail\":\"bench-sub-" + i + "@example.test\",\"contactAllocation\":100000}", 201);
            subs.add(group(sub, "\"subaccount\":\\{\"id\":\"([^\"]+)\""));
        }
        long shareStart = System.nanoTime();
        String shared = send("POST", "/api/v1/lists/" + listId + "/share", auth,
                "{\"subaccountIds\":[\"" + String.join("\",\"", subs) + "\"]}", 200);
        double shareSeconds = (System.nanoTime() - shareStart) / 1e9;
        int ok = count(shared, "\"status\":\"shared\"");
        System.out.printf("share: %,d-contact list with %d sub-accounts in %.1f s (%d shared)%n", listSize, subs.size(),
                shareSeconds, ok);

        // 3. Keyset paging through every contact of the master, first page to last.
        List<Double> latencies = new ArrayList<>();
        String cursor = null;
        long seen = 0;
        do {
            long start = System.nanoTime();
            String page = send("GET", "/api/v1/contacts?limit=100" + (cursor == null ? "" : "&cursor=" + cursor), auth,
                    null, 200);
            latencies.add((System.nanoTime() - start) / 1e6);
            seen += count(page, "\"email\":");
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

    static String upload(Path csv, String listId) throws Exception {
        String boundary = "----bench" + UUID.randomUUID();
        String head = (listId == null ? "" : "--" + boundary + "\r\nContent-Disposition: form-data; name=\"listId\"\r\n\r\n"
                + listId + "\r\n") + "--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"contacts.csv\"\r\nContent-Type: text/csv\r\n\r\n";
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/imports"))
                .header("Authorization", auth).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofString(head),
                        HttpRequest.BodyPublishers.ofFile(csv),
                        HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n")))
                .timeout(Duration.ofMinutes(10)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("upload: " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    static String awaitImport(String id) throws Exception {
        while (true) {
            String job = send("GET", "/api/v1/imports/" + id, auth, null, 200);
            if (!job.contains("\"status\":\"RUNNING\"")) {
                if (!job.contains("\"status\":\"DONE\"")) {
                    throw new IllegalStateException("import did not succeed: " + job);
                }
                return job;
            }
            Thread.sleep(100);
        }
    }

    static String send(String method, String path, String authorization, String json, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                .header("Authorization", authorization)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    /** Samples the server's heap use from its Prometheus endpoint every 100 ms. */
    static final class HeapWatcher extends Thread {
        final AtomicLong peak = new AtomicLong();

        @Override
        public void run() {
            Pattern used = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.E+]+)", Pattern.MULTILINE);
            while (!isInterrupted()) {
                try {
                    String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(),
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

    static String group(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + regex + " in " + text);
        }
        return matcher.group(1);
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100 * sorted.size()) - 1));
    }
}
