import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Latency of the sub-accounts API at scale. JDK 17 only, run as a single-file program:
 *
 * <pre>BENCH_OPERATOR_TOKEN=... java bench/SubaccountsBench.java http://127.0.0.1:18080 [N]</pre>
 *
 * Provisions an enterprise master, fills it with N sub-accounts (4 client threads), then measures
 * sequentially: GET /api/v1/account, GET /api/v1/subaccounts over all pages, and POST
 * /api/v1/subaccounts at that size. Any unexpected status code ends the run with exit code 1.
 * Normally started by bench/subaccounts.sh, which also starts the server.
 */
public class SubaccountsBench {

    static final int FILL_THREADS = 4;
    static final int PAGE_SIZE = 50;
    static final int WARMUP = 200;
    static final int LIST_REQUESTS = 2_000;
    static final int CREATE_REQUESTS = 300;
    static final int ACCOUNT_REQUESTS = 1_000;
    static final int ALLOCATION = 500;
    static final int CONTACT_LIMIT = 100_000_000;
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    static String base;
    static HttpClient http;

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable failure) {
            System.out.flush();
            System.err.println("BENCH FAILED: " + failure);
            System.exit(1);
        }
    }

    static void run(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: java SubaccountsBench.java <base-url> [N]");
        }
        base = args[0].replaceAll("/+$", "");
        int n = args.length > 1 ? Integer.parseInt(args[1].replace("_", "").replace(",", "")) : 10_000;
        String token = System.getenv("BENCH_OPERATOR_TOKEN");
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("set BENCH_OPERATOR_TOKEN to the server's MAILTREE_OPERATOR_TOKEN");
        }
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .build();
        System.out.printf("target %s, N=%d sub-accounts, page size %d%n", base, n, PAGE_SIZE);

        // 1. A master with room for every allocation.
        String bearer = "Bearer " + token;
        Map<?, ?> provisioned = (Map<?, ?>) json(call("POST", "/api/platform/v1/masters", bearer,
                "{\"name\":\"Bench master\",\"ownerEmail\":\"bench-master@example.test\",\"plan\":\"enterprise\"}", 201));
        String masterId = (String) ((Map<?, ?>) provisioned.get("master")).get("id");
        Map<?, ?> key = (Map<?, ?>) provisioned.get("apiKey");
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (key.get("publicKey") + ":" + key.get("secret")).getBytes(StandardCharsets.UTF_8));
        call("PATCH", "/api/platform/v1/masters/" + masterId, bearer,
                "{\"enterpriseContactLimit\": " + CONTACT_LIMIT + "}", 200);
        System.out.println("master " + masterId + " provisioned, enterpriseContactLimit=" + CONTACT_LIMIT);

        // 2. Baseline of GET /api/v1/account with no sub-accounts.
        for (int i = 0; i < WARMUP; i++) {
            call("GET", "/api/v1/account", basic, null, 200);
        }
        long[] account0 = new long[ACCOUNT_REQUESTS];
        for (int i = 0; i < ACCOUNT_REQUESTS; i++) {
            account0[i] = timed("GET", "/api/v1/account", basic, null, 200).nanos;
        }
        checkAllowance(basic, 0);

        // 3. The fill.
        fill(basic, n);
        afterFill();

        // 4. GET /api/v1/account at N: the allowance is read from counters and must not grow with N.
        for (int i = 0; i < WARMUP; i++) {
            call("GET", "/api/v1/account", basic, null, 200);
        }
        long[] accountN = new long[ACCOUNT_REQUESTS];
        for (int i = 0; i < ACCOUNT_REQUESTS; i++) {
            accountN[i] = timed("GET", "/api/v1/account", basic, null, 200).nanos;
        }
        checkAllowance(basic, n);

        // 5. Listing: pages spread uniformly from first to last, in shuffled order.
        Map<?, ?> first = (Map<?, ?>) json(call("GET", "/api/v1/subaccounts?page=0&size=" + PAGE_SIZE, basic, null, 200));
        long total = ((Number) first.get("total")).longValue();
        if (total != n) {
            throw new IllegalStateException("list total is " + total + ", expected " + n);
        }
        int pages = (int) ((total + PAGE_SIZE - 1) / PAGE_SIZE);
        Random random = new Random(42);
        for (int i = 0; i < WARMUP; i++) {
            listPage(basic, random.nextInt(pages), pages, total, false);
        }
        List<Integer> plan = new ArrayList<>(LIST_REQUESTS);
        for (int i = 0; i < LIST_REQUESTS; i++) {
            plan.add(pages == 1 ? 0 : (int) Math.round((double) i * (pages - 1) / (LIST_REQUESTS - 1)));
        }
        Collections.shuffle(plan, random);
        long[] list = new long[LIST_REQUESTS];
        List<Long> firstPages = new ArrayList<>();
        List<Long> lastPages = new ArrayList<>();
        for (int i = 0; i < LIST_REQUESTS; i++) {
            int page = plan.get(i);
            list[i] = listPage(basic, page, pages, total, true);
            if (page < 10) {
                firstPages.add(list[i]);
            }
            if (page >= pages - 10) {
                lastPages.add(list[i]);
            }
        }

        // 6. Creating one more sub-account at that size.
        long[] create = new long[CREATE_REQUESTS];
        for (int i = 0; i < CREATE_REQUESTS; i++) {
            String body = String.format("{\"name\":\"Extra %05d\",\"ownerEmail\":\"extra%05d@example.test\","
                    + "\"contactAllocation\":%d}", i + 1, i + 1, ALLOCATION);
            create[i] = timed("POST", "/api/v1/subaccounts", basic, body, 201).nanos;
        }
        checkAllowance(basic, n + CREATE_REQUESTS);

        System.out.println();
        System.out.printf("results (N=%d sub-accounts, %d pages of %d; sequential, one client)%n", n, pages, PAGE_SIZE);
        report("account@0", account0);
        report("account@N", accountN);
        report("list", list);
        report("list-first10pages", firstPages.stream().mapToLong(Long::longValue).toArray());
        report("list-last10pages", lastPages.stream().mapToLong(Long::longValue).toArray());
        report("create@N", create);
        System.out.printf("account p50@0=%.2f ms p50@N=%.2f ms p99@0=%.2f ms p99@N=%.2f ms%n", ms(pct(account0, 50)),
                ms(pct(accountN, 50)), ms(pct(account0, 99)), ms(pct(accountN, 99)));
        System.out.printf("list p99 first10pages=%.2f ms last10pages=%.2f ms%n",
                ms(pct(firstPages.stream().mapToLong(Long::longValue).toArray(), 99)),
                ms(pct(lastPages.stream().mapToLong(Long::longValue).toArray(), 99)));
    }

    /** Creates sub-accounts 1..n with FILL_THREADS concurrent clients, printing progress every 1,000. */
    static void fill(String basic, int n) throws Exception {
        AtomicInteger next = new AtomicInteger(1);
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        long[] lastMark = {start};
        long[] slowest = new long[FILL_THREADS];
        ExecutorService pool = Executors.newFixedThreadPool(FILL_THREADS);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < FILL_THREADS; t++) {
            int worker = t;
            workers.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) <= n;) {
                    String body = String.format("{\"name\":\"Sub %05d\",\"ownerEmail\":\"sub%05d@example.test\","
                            + "\"contactAllocation\":%d}", i, i, ALLOCATION);
                    Timed r = timed("POST", "/api/v1/subaccounts", basic, body, 201);
                    slowest[worker] = Math.max(slowest[worker], r.nanos);
                    int count = done.incrementAndGet();
                    if (count % 1_000 == 0 || count == n) {
                        synchronized (lastMark) {
                            long now = System.nanoTime();
                            System.out.printf("fill %d/%d elapsed=%.1f s rate=%.0f/s (last chunk %.0f/s)%n", count, n,
                                    (now - start) / 1e9, count / ((now - start) / 1e9),
                                    (count % 1_000 == 0 ? 1_000 : count % 1_000) / ((now - lastMark[0]) / 1e9));
                            lastMark[0] = now;
                        }
                    }
                }
                return null;
            }));
        }
        pool.shutdown();
        try {
            for (Future<?> w : workers) {
                w.get();
            }
        } catch (java.util.concurrent.ExecutionException failed) {
            pool.shutdownNow();
            throw (Exception) failed.getCause();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("fill done: %d sub-accounts in %.1f s, rate=%.0f/s, slowest create=%.1f ms (%d threads)%n", n,
                seconds, n / seconds, ms(Arrays.stream(slowest).max().orElse(0)), FILL_THREADS);
    }

    /**
     * Runs the shell command in BENCH_AFTER_FILL, if set (subaccounts.sh sets it to a psql ANALYZE
     * with BENCH_ANALYZE=1, for PostgreSQL servers whose autovacuum is off).
     */
    static void afterFill() throws Exception {
        String command = System.getenv("BENCH_AFTER_FILL");
        if (command == null || command.isBlank()) {
            return;
        }
        System.out.println("after fill: " + command);
        int rc = new ProcessBuilder("sh", "-c", command).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException("BENCH_AFTER_FILL exited with " + rc);
        }
    }

    /** One list request, checked for status, total and item count; returns its latency in ns. */
    static long listPage(String basic, int page, int pages, long total, boolean check) throws Exception {
        Timed r = timed("GET", "/api/v1/subaccounts?page=" + page + "&size=" + PAGE_SIZE, basic, null, 200);
        if (check) {
            Map<?, ?> body = (Map<?, ?>) json(r.body);
            int items = ((List<?>) body.get("items")).size();
            long expected = page < pages - 1 ? PAGE_SIZE : total - (long) (pages - 1) * PAGE_SIZE;
            if (((Number) body.get("total")).longValue() != total || items != expected) {
                throw new IllegalStateException("page " + page + ": " + items + " items, total " + body.get("total")
                        + "; expected " + expected + " items, total " + total);
            }
        }
        return r.nanos;
    }

    static void checkAllowance(String basic, int subs) throws Exception {
        Map<?, ?> account = (Map<?, ?>) json(call("GET", "/api/v1/account", basic, null, 200));
        Map<?, ?> allowance = (Map<?, ?>) account.get("allowance");
        long allocated = ((Number) allowance.get("allocatedToSubaccounts")).longValue();
        Number limit = (Number) allowance.get("limit");
        if (allocated != (long) subs * ALLOCATION || limit == null || limit.longValue() != CONTACT_LIMIT) {
            throw new IllegalStateException("allowance after " + subs + " sub-accounts: " + allowance
                    + "; expected allocatedToSubaccounts=" + (long) subs * ALLOCATION + " limit=" + CONTACT_LIMIT);
        }
    }

    // --- HTTP ---------------------------------------------------------------------------------

    record Timed(long nanos, String body) {
    }

    static String call(String method, String path, String auth, String body, int expected) throws Exception {
        return timed(method, path, auth, body, expected).body;
    }

    static Timed timed(String method, String path, String auth, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .header("Authorization", auth).header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        long nanos = System.nanoTime() - start;
        if (response.statusCode() != expected) {
            String text = response.body() == null ? "" : response.body();
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + " (expected "
                    + expected + ") after " + String.format("%.1f", ms(nanos)) + " ms: "
                    + (text.length() > 2_000 ? text.substring(0, 2_000) + "..." : text));
        }
        return new Timed(nanos, response.body());
    }

    // --- Statistics ---------------------------------------------------------------------------

    static void report(String name, long[] nanos) {
        if (nanos.length == 0) {
            System.out.printf("%s count=0%n", name);
            return;
        }
        System.out.printf("%s count=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n", name, nanos.length,
                ms(pct(nanos, 50)), ms(pct(nanos, 90)), ms(pct(nanos, 99)), ms(pct(nanos, 100)));
    }

    /** Nearest-rank percentile. */
    static long pct(long[] nanos, double p) {
        if (nanos.length == 0) {
            return 0;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    // --- A tiny JSON reader: objects, arrays, strings, numbers, true/false/null -----------------

    static Object json(String text) {
        JsonReader reader = new JsonReader(text);
        Object value = reader.value();
        reader.skipSpace();
        if (reader.pos != text.length()) {
            throw reader.error("trailing characters");
        }
        return value;
    }

    static final class JsonReader {
        final String s;
        int pos;

        JsonReader(String s) {
            this.s = s;
        }

        Object value() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    return number();
            }
        }

        Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            pos++;
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipSpace();
                String name = string();
                skipSpace();
                expect(':');
                map.put(name, value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        List<Object> array() {
            List<Object> list = new ArrayList<>();
            pos++;
            skipSpace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> out.append(e);
                }
            }
        }

        Number number() {
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            String text = s.substring(start, pos);
            if (text.isEmpty()) {
                throw error("unexpected character");
            }
            return text.matches("-?\\d+") ? (Number) Long.valueOf(text) : (Number) Double.valueOf(text);
        }

        Object literal(String word, Object value) {
            if (!s.startsWith(word, pos)) {
                throw error("unexpected token");
            }
            pos += word.length();
            return value;
        }

        void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        IllegalStateException error(String what) {
            return new IllegalStateException("bad JSON at " + pos + ": " + what + " in "
                    + (s.length() > 300 ? s.substring(0, 300) + "..." : s));
        }
    }
}
