import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook benchmark against a running Mailtree on PostgreSQL (started by bench/webhooks.sh). JDK
 * only. A local HTTP receiver verifies every request's Standard Webhooks signature (HMAC-SHA256 over
 * id.timestamp.body with the endpoint's secret) and counts its events; psql appends RATE DELIVERED
 * events a second to the outcome stream for SECONDS seconds, each second in one transaction, as
 * delivery would write them. Printed: events offered and delivered per second over the window, the
 * ratio, end-to-end latency (event time to arrival) p50/p99, requests and events per request, and
 * the CPU of the server JVM plus its PostgreSQL backends per delivered event.
 */
public class WebhooksBench {

    static final Pattern EVENT_TIME = Pattern.compile("\"occurredAt\":\"([^\"]+)\"");
    static String base;
    static String psql;

    public static void main(String[] args) throws Exception {
        base = args[0];
        int seconds = Integer.parseInt(args[1]);
        int rate = Integer.parseInt(args[2]);
        String token = System.getenv("BENCH_OPERATOR_TOKEN");
        psql = System.getenv("BENCH_PSQL");
        long serverPid = Long.parseLong(System.getenv("BENCH_SERVER_PID"));
        String database = System.getenv("BENCH_DB_NAME");

        AtomicLong events = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        AtomicLong badSignatures = new AtomicLong();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        String[] secret = new String[1];
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        java.util.concurrent.ExecutorService handlers = Executors.newFixedThreadPool(8);
        receiver.setExecutor(handlers);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            long now = System.currentTimeMillis();
            String text = new String(body, StandardCharsets.UTF_8);
            boolean signed = verifies(secret[0], exchange.getRequestHeaders().getFirst("webhook-id"),
                    exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                    exchange.getRequestHeaders().getFirst("webhook-signature"), text);
            if (!signed) {
                badSignatures.incrementAndGet();
            }
            Matcher times = EVENT_TIME.matcher(text);
            long count = 0;
            while (times.find()) {
                count++;
                latencies.add(now - Instant.parse(times.group(1)).toEpochMilli());
            }
            events.addAndGet(count);
            requests.incrementAndGet();
            exchange.sendResponseHeaders(signed ? 204 : 401, -1);
            exchange.close();
        });
        receiver.start();
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";

        String created = Bench.send(base, "POST", "/api/platform/v1/masters", "Bearer " + token,
                "{\"name\":\"Bench webhooks\",\"ownerEmail\":\"bench-webhooks@example.test\",\"plan\":\"enterprise\"}", 201);
        String masterId = Bench.group(created, "\"master\":\\{\"id\":\"([^\"]+)\"");
        String auth = "Basic " + Base64.getEncoder().encodeToString((Bench.group(created, "\"publicKey\":\"([^\"]+)\"") + ":"
                + Bench.group(created, "\"secret\":\"([^\"]+)\"")).getBytes(StandardCharsets.UTF_8));
        String endpoint = Bench.send(base, "POST", "/api/v1/webhooks", auth,
                "{\"url\":\"" + hook + "\",\"eventTypes\":[\"message.delivered\"]}", 201);
        secret[0] = Bench.group(endpoint, "\"secret\":\"([^\"]+)\"");
        System.out.printf("setup: master %s, endpoint %s; offering %,d events/s for %d s%n", masterId, hook, rate, seconds);

        List<Long> backends = Bench.backends(psql, database);
        double cpuBefore = Bench.cpuSeconds(serverPid) + Bench.cpuSeconds(backends);
        long started = System.nanoTime();
        long appendNanos = 0;
        for (int second = 0; second < seconds; second++) {
            long t0 = System.nanoTime();
            Bench.psqlScript(psql, "insert into message_event (account_id, message_id, event_type, recipient, occurred_at) select '"
                    + masterId + "'::uuid, " + second + " * " + rate + " + g, 'DELIVERED', 'r' || g || '@bench.example.test',"
                    + " now() from generate_series(1, " + rate + ") as g;");
            appendNanos += System.nanoTime() - t0;
            long next = started + (second + 1) * 1_000_000_000L;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        long offeredEnd = System.nanoTime();
        long deliveredInWindow = events.get();
        long expected = (long) seconds * rate;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (events.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long drained = System.nanoTime();
        // CPU to the moment the last event arrived; the appends' own backend is psql's and not counted.
        double cpuAfter = Bench.cpuSeconds(serverPid) + Bench.cpuSeconds(backends);
        receiver.stop(0);
        handlers.shutdownNow();

        double window = (offeredEnd - started) / 1e9;
        double total = (drained - started) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double cpuSeconds = cpuAfter - cpuBefore;
        System.out.printf("offered   %,d events in %.1f s: %,.0f events/s (psql appends took %.1f s of it)%n", expected,
                window, expected / window, appendNanos / 1e9);
        System.out.printf("delivered %,d events by the end of the window: %,.0f events/s, ratio delivered/offered %.2f%n",
                deliveredInWindow, deliveredInWindow / window, deliveredInWindow / (double) expected);
        System.out.printf("delivered all %,d of %,d events after %.1f s: %,.0f events/s overall; %,d requests, %.1f events"
                + " a request; %d bad signatures%n", events.get(), expected, total, events.get() / total, requests.get(),
                events.get() / (double) Math.max(1, requests.get()), badSignatures.get());
        if (!sorted.isEmpty()) {
            System.out.printf("latency event to arrival: p50 %d ms, p99 %d ms, max %d ms%n", sorted.get(sorted.size() / 2),
                    sorted.get((int) Math.min(sorted.size() - 1, Math.round(sorted.size() * 0.99))),
                    sorted.get(sorted.size() - 1));
        }
        System.out.printf("CPU %.1f µs per delivered event (server JVM + its PostgreSQL backends, %.1f CPU-s in %.1f s)%n",
                cpuSeconds * 1e6 / Math.max(1, events.get()), cpuSeconds, total);
        if (badSignatures.get() > 0 || events.get() < expected) {
            throw new IllegalStateException("not every event arrived correctly signed");
        }
        System.exit(0);
    }

    static boolean verifies(String secret, String id, String timestamp, String signatures, String body) {
        if (id == null || timestamp == null || signatures == null) {
            return false;
        }
        try {
            if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > 300) {
                return false;
            }
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            byte[] expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            for (String signature : signatures.split(" ")) {
                if (signature.startsWith("v1,")
                        && MessageDigest.isEqual(Base64.getDecoder().decode(signature.substring(3)), expected)) {
                    return true;
                }
            }
        } catch (Exception invalid) {
            return false;
        }
        return false;
    }
}
