import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * D-20's isolation benchmark (bench/isolation.sh): one account with a TRANSACTIONAL and a MARKETING
 * key. Phase A: the transactional key sends for BENCH_TX_SECONDS from BENCH_TX_CLIENTS clients with
 * nothing else queued. Phase B: the marketing key queues BENCH_BACKLOG messages, then the
 * transactional key sends the same load again while that backlog drains. For each phase: the
 * transactional key's delivered msg/s (its messages over the time from the first accepted to the last
 * delivered) and its accept→relay p50/p99 (message.created_at to delivered_at, written when the relay
 * took the message's batch), read from PostgreSQL; then B/A side by side, the marketing backlog left
 * when B's transactional mail was all delivered, and the server's CPU per delivered message.
 *
 * <p>Usage: java IsolationBench.java BASE_URL SINK_SMTP_PORT SINK_HTTP_PORT (with BENCH_OPERATOR_TOKEN,
 * BENCH_PSQL, BENCH_SERVER_PID in the environment; see bench/README.md).
 */
public class IsolationBench {

    static final String DOMAIN = "iso.example.test";
    static final String SENDER = "shop@iso.example.test";

    static String base;
    static String sinkHttp;

    public static void main(String[] args) throws Exception {
        base = args[0];
        sinkHttp = "http://127.0.0.1:" + args[2];
        String token = System.getenv("BENCH_OPERATOR_TOKEN");
        String psql = System.getenv("BENCH_PSQL");
        long serverPid = Long.parseLong(System.getenv().getOrDefault("BENCH_SERVER_PID", "0"));
        int backlog = env("BENCH_BACKLOG", 50_000);
        int txSeconds = env("BENCH_TX_SECONDS", 15);
        int txClients = env("BENCH_TX_CLIENTS", 2);
        int txBatch = env("BENCH_TX_BATCH", 5);
        txRate = env("BENCH_TX_RATE", 50);
        System.out.printf("host: %d CPUs, load average %s; backlog %,d, transactional %d clients × batches of %d for %d s, %s%n",
                Runtime.getRuntime().availableProcessors(), load(), backlog, txClients, txBatch, txSeconds,
                txRate > 0 ? "offered at " + txRate + " msg/s in both phases" : "each client as fast as it is answered");

        String created = Bench.send(base, "POST", "/api/platform/v1/masters", "Bearer " + token,
                "{\"name\":\"Bench isolation\",\"ownerEmail\":\"iso-owner@owner.example.test\",\"plan\":\"enterprise\"}",
                201);
        String primary = basic(Bench.group(created, "\"publicKey\":\"([^\"]+)\""),
                Bench.group(created, "\"secret\":\"([^\"]+)\""));
        Bench.send(base, "POST", "/api/v1/domains", primary, "{\"domain\":\"" + DOMAIN + "\"}", 201);
        Bench.send(base, "POST", "/api/v1/senders", primary, "{\"email\":\"" + SENDER + "\"}", 201);
        String link = Bench.group(SendBench.decodedBody(awaitSaved(SENDER)),
                "(https?://\\S+/senders/confirm\\?token=[A-Za-z0-9_.%=-]+)");
        SendBench.confirmLink(link);
        String tx = key(primary, "Receipts", "TRANSACTIONAL");
        String txKeyId = keyId;
        String mk = key(primary, "Newsletter", "MARKETING");
        System.out.println("setup: master, domain, confirmed sender, keys Receipts (TRANSACTIONAL) and Newsletter (MARKETING)");

        // Warm-up, so phase A does not pay the JIT.
        load(tx, "warm", 3, txBatch, 2);
        awaitDelivered(psql, "warm", 120);

        double cpu0 = Bench.cpuSeconds(serverPid);
        load(tx, "a", txSeconds, txBatch, txClients);
        awaitDelivered(psql, "a", 300);
        double cpuA = Bench.cpuSeconds(serverPid) - cpu0;
        double[] a = figures(psql, txKeyId, "a");

        long queueStart = System.nanoTime();
        enqueueBacklog(mk, backlog);
        double queued = (System.nanoTime() - queueStart) / 1e9;
        long before = count(psql, "select count(*) from message where status = 'QUEUED'");
        System.out.printf("phase B: %,d marketing messages accepted in %.1f s; %,d still queued when the transactional load starts%n",
                backlog, queued, before);
        double cpu1 = Bench.cpuSeconds(serverPid);
        load(tx, "b", txSeconds, txBatch, txClients);
        awaitDelivered(psql, "b", 600);
        double cpuB = Bench.cpuSeconds(serverPid) - cpu1;
        long left = count(psql, "select count(*) from message where status = 'QUEUED'");
        double[] b = figures(psql, txKeyId, "b");

        System.out.println();
        System.out.println("                                 no backlog   with backlog   with/without");
        System.out.printf("transactional delivered msg/s  %11.1f   %12.1f   %11.2f%n", a[1], b[1], b[1] / a[1]);
        System.out.printf("accept→relay p50 (ms)           %11.0f   %12.0f   %11.2f%n", a[2], b[2], b[2] / a[2]);
        System.out.printf("accept→relay p99 (ms)           %11.0f   %12.0f   %11.2f%n", a[3], b[3], b[3] / a[3]);
        System.out.printf("transactional messages          %,11d   %,12d%n", (long) a[0], (long) b[0]);
        System.out.printf("marketing backlog: %,d queued at the start of B, %,d still queued when B's transactional mail was all delivered%n",
                before, left);
        System.out.printf("server CPU: A %.1f s (%.2f ms per transactional message); B %.1f s while the backlog drained%n",
                cpuA, cpuA * 1000 / Math.max(1, a[0]), cpuB);
        System.out.printf("load average after: %s%n", load());
        boolean within = b[1] >= a[1] * 0.8 && b[3] <= a[3] * 1.2;
        System.out.println(within ? "isolation: within 20 % of the no-backlog figures"
                : "isolation: NOT within 20 % of the no-backlog figures");
    }

    static String keyId;

    /**
     * The transactional load's rate in messages a second, the same in both phases (0: every client sends
     * its next batch as soon as the last is answered). A paced load compares the latencies at one load:
     * unpaced, the clients send faster in whichever phase the server answers them faster, and each
     * phase's p99 is then that of another rate.
     */
    static int txRate;

    /** Creates a key with a label through the keys API; answers its Basic authorization. */
    static String key(String master, String name, String label) throws Exception {
        String issued = Bench.send(base, "POST", "/api/v1/keys", master,
                "{\"name\":\"" + name + "\",\"label\":\"" + label + "\"}", 201);
        keyId = Bench.group(issued, "\"id\":\"([^\"]+)\"");
        return basic(Bench.group(issued, "\"publicKey\":\"([^\"]+)\""), Bench.group(issued, "\"secret\":\"([^\"]+)\""));
    }

    /** Clients send batches to {@code <n>@<phase>.tx.<domain>} for the given seconds. */
    static void load(String auth, String phase, int seconds, int batch, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger sequence = new AtomicInteger();
        LongAdder accepted = new LongAdder();
        long start = System.nanoTime();
        long until = start + seconds * 1_000_000_000L;
        // Paced: each client sends a batch every clients × batch / rate seconds, staggered; one that falls
        // behind sends at once but never bursts to catch up.
        long interval = txRate > 0 ? (long) (1e9 * clients * batch / txRate) : 0;
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long first = start + (interval * c) / clients;
            running.add(pool.submit(() -> {
                long next = first;
                while (System.nanoTime() < until) {
                    if (interval > 0) {
                        if (next >= until) {
                            break;
                        }
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                        next = Math.max(next + interval, System.nanoTime());
                    }
                    String body = batchJson(phase + ".tx", sequence.getAndAdd(batch), batch);
                    String answer = Bench.send(base, "POST", "/api/v1/send", auth, body, 200);
                    accepted.add(Bench.count(answer, "\"status\":\"accepted\""));
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();
        System.out.printf("phase %s: %,d transactional messages accepted in %d s%n", phase, accepted.sum(), seconds);
    }

    static void enqueueBacklog(String auth, int total) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            running.add(pool.submit(() -> {
                for (int from = next.getAndAdd(50); from < total; from = next.getAndAdd(50)) {
                    Bench.send(base, "POST", "/api/v1/send", auth, batchJson("mk", from, Math.min(50, total - from)), 200);
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();
    }

    static String batchJson(String sub, int from, int count) {
        StringBuilder json = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ",").append("{\"from\":{\"email\":\"").append(SENDER)
                    .append("\"},\"to\":[{\"email\":\"r").append(from + i).append('@').append(sub).append('.')
                    .append(DOMAIN).append("\"}],\"subject\":\"Order ").append(from + i)
                    .append("\",\"text\":\"Thank you for your order. This is a short transactional message.\"}");
        }
        return json.append("]}").toString();
    }

    /** Count, delivered msg/s, p50 and p99 accept→relay (ms) of the transactional key's phase. */
    static double[] figures(String psql, String key, String phase) throws Exception {
        String row = query(psql, "select count(*), extract(epoch from max(delivered_at) - min(created_at)),"
                + " percentile_cont(0.5) within group (order by extract(epoch from delivered_at - created_at)),"
                + " percentile_cont(0.99) within group (order by extract(epoch from delivered_at - created_at))"
                + " from message where api_key_id = '" + key + "' and status = 'DELIVERED' and recipients like '%@"
                + phase + ".tx." + DOMAIN + "'");
        String[] f = row.split("\\|", -1);
        if (f.length < 4 || f[1].isEmpty()) {
            throw new IllegalStateException("no delivered transactional message in phase " + phase + ": " + row);
        }
        double n = Double.parseDouble(f[0]);
        return new double[] {n, n / Double.parseDouble(f[1]), Double.parseDouble(f[2]) * 1000,
                Double.parseDouble(f[3]) * 1000};
    }

    static void awaitDelivered(String psql, String phase, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String like = "'%@" + phase + ".tx." + DOMAIN + "'";
        while (count(psql, "select count(*) from message where status = 'QUEUED' and recipients like " + like) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("phase " + phase + ": transactional mail still queued after " + seconds + " s");
            }
            Thread.sleep(100);
        }
    }

    static long count(String psql, String sql) throws Exception {
        return Long.parseLong(query(psql, sql).strip());
    }

    static String query(String psql, String sql) throws Exception {
        List<String> command = new ArrayList<>(List.of(psql.split(" ")));
        command.addAll(List.of("-Atc", sql));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("psql: " + out);
        }
        return out;
    }

    static String awaitSaved(String rcpt) throws Exception {
        for (int i = 0; i < 300; i++) {
            HttpResponse<String> saved = Bench.HTTP.send(HttpRequest.newBuilder(URI.create(sinkHttp + "/saved?rcpt=" + rcpt))
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
            if (saved.statusCode() == 200) {
                return saved.body();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no e-mail to " + rcpt + " reached the sink in 60 s");
    }

    static String basic(String publicKey, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((publicKey + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static int env(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value);
    }

    static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ", 4)[0];
        } catch (Exception unknown) {
            return "?";
        }
    }
}
