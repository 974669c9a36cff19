import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Open-pixel and click-redirect benchmark against a running Mailtree on PostgreSQL (started by
 * bench/tracking.sh with a local SMTP sink as its relay). JDK only.
 *
 * <p>Set-up: a master, a confirmed sender, a campaign of {@code RECIPIENTS} (200) to the sink, whose
 * saved mail gives the real signed pixel and click URLs. Then three phases of {@code SECONDS} each,
 * every request a real open or click (two opens for each click) of those recipients:
 * <ol>
 * <li>closed loop, {@code CLIENTS} (16) connections as fast as the server answers: the ceiling;</li>
 * <li>open loop at {@code RATE} (2,000) requests/s: latency measured from each request's scheduled
 * time, so a stall counts against the figure (no coordinated omission);</li>
 * <li>the same rate while a second campaign of {@code SENDING} (10,000) recipients fans out and is
 * delivered.</li>
 * </ol>
 * Printed per phase: requests/s, p50/p99/max, errors, CPU per request (server JVM plus its
 * PostgreSQL backends); then whether the report's counters caught up with every request made.
 */
public class TrackingBench {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    static final String DOMAIN = "bench.example.test";
    static final String SENDER = "news@" + DOMAIN;
    static final String UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
    static String base;
    static String sinkHttp;
    static String auth;

    public static void main(String[] args) throws Exception {
        base = args[0];
        sinkHttp = args[1];
        int seconds = Integer.parseInt(args[2]);
        int rate = Integer.parseInt(args[3]);
        int clients = env("BENCH_CLIENTS", 16);
        int recipients = env("BENCH_RECIPIENTS", 200);
        int sending = env("BENCH_SENDING", 10_000);
        String token = System.getenv("BENCH_OPERATOR_TOKEN");
        String psql = System.getenv("BENCH_PSQL");
        long serverPid = Long.parseLong(System.getenv("BENCH_SERVER_PID"));
        String database = System.getenv("BENCH_DB_NAME");
        System.out.printf("host: %d CPUs, load average %s%n", Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).strip());

        String created = Bench.send(base, "POST", "/api/platform/v1/masters", "Bearer " + token,
                "{\"name\":\"Bench tracking\",\"ownerEmail\":\"bench-tracking@owner.example.test\",\"plan\":\"pro-100000\"}", 201);
        auth = "Basic " + Base64.getEncoder().encodeToString((Bench.group(created, "\"publicKey\":\"([^\"]+)\"") + ":"
                + Bench.group(created, "\"secret\":\"([^\"]+)\"")).getBytes(StandardCharsets.UTF_8));
        String domain = Bench.send(base, "POST", "/api/v1/domains", auth, "{\"domain\":\"" + DOMAIN + "\"}", 201);
        markVerified(psql, Long.parseLong(Bench.group(domain, "\"id\":(\\d+)")));
        Bench.send(base, "POST", "/api/v1/senders", auth, "{\"email\":\"" + SENDER + "\",\"name\":\"Bench News\"}", 201);
        String confirmation = awaitSaved(SENDER, 60);
        confirmLink(Bench.group(decodedBody(confirmation), "(https?://\\S+/senders/confirm\\?token=[A-Za-z0-9_.%=-]+)"));

        // The campaign whose mail carries the URLs the load uses.
        long readersList = list("readers", recipients, "reader", "readers." + DOMAIN);
        long campaign = campaign("Tracked", readersList);
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < recipients; i++) {
            String body = awaitSaved("reader" + i + "@readers." + DOMAIN, 120);
            String html = decodedBody(body);
            Matcher open = Pattern.compile("/t/o/[A-Za-z0-9_.\\-]+").matcher(html);
            Matcher click = Pattern.compile("/t/c/[A-Za-z0-9_.\\-]+").matcher(html);
            if (!open.find() || !click.find()) {
                throw new IllegalStateException("no tracking links in the mail to reader" + i + ": " + Bench.abbreviate(html));
            }
            urls.add(open.group());
            urls.add(click.group());
            urls.add(open.group());
        }
        System.out.printf("setup: campaign %d to %,d recipients delivered; %,d tracking URLs (2 opens : 1 click)%n",
                campaign, recipients, urls.size());
        warm(urls);
        long sendingList = list("sending", sending, "s", "sending." + DOMAIN);

        List<Long> backends = Bench.backends(psql, database);
        AtomicLong made = new AtomicLong(urls.size() / 3 * 3); // the warm-up's
        Result closed = closedLoop(urls, clients, seconds, serverPid, backends, made);
        print("closed loop, " + clients + " clients", closed);
        Result steady = openLoop(urls, rate, seconds, serverPid, backends, made);
        print("open loop at " + rate + "/s", steady);
        long sendingCampaign = campaign("Sending", sendingList);
        Thread.sleep(1000);
        Result busy = openLoop(urls, rate, seconds, serverPid, backends, made);
        String progress = Bench.send(base, "GET", "/api/v1/campaigns/" + sendingCampaign, auth, null, 200);
        print("open loop at " + rate + "/s, while " + String.format(Locale.ROOT, "%,d", sending) + " are sent", busy);
        System.out.printf("  the campaign sent meanwhile: queued %s, delivered %s of %s%n",
                Bench.group(progress, "\"queued\":(\\d+)"), Bench.group(progress, "\"delivered\":(\\d+)"),
                Bench.group(progress, "\"total\":(\\d+)"));
        System.out.printf("side by side: %,.0f req/s ceiling; at %d/s p99 %.1f ms alone, %.1f ms while sending (target 2,000 req/s, p99 < 20 ms)%n",
                closed.rate(), rate, steady.p99(), busy.p99());

        // Every open and click made must reach the report (the consumer keeps up, or catches up).
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        long counted = 0;
        long start = System.nanoTime();
        while (System.nanoTime() < deadline) {
            String report = Bench.send(base, "GET", "/api/v1/campaigns/" + campaign + "/report", auth, null, 200);
            counted = Long.parseLong(Bench.group(report, "\"opensTotal\":(\\d+)"))
                    + Long.parseLong(Bench.group(report, "\"machineOpensTotal\":(\\d+)"))
                    + Long.parseLong(Bench.group(report, "\"clicksTotal\":(\\d+)"));
            if (counted >= made.get()) {
                break;
            }
            Thread.sleep(200);
        }
        System.out.printf("report: %,d opens and clicks counted of %,d made (caught up %.1f s after the load)%n", counted,
                made.get(), (System.nanoTime() - start) / 1e9);
        System.exit(counted >= made.get() && closed.errors() + steady.errors() + busy.errors() == 0 ? 0 : 1);
    }

    record Result(long requests, double seconds, long errors, long[] latencies, double cpuSeconds) {
        double rate() {
            return requests / seconds;
        }

        double p(double q) {
            return latencies.length == 0 ? 0 : latencies[(int) Math.min(latencies.length - 1, Math.round(latencies.length * q))] / 1e6;
        }

        double p99() {
            return p(0.99);
        }
    }

    static void print(String phase, Result r) {
        System.out.printf("%-44s %,8.0f req/s  p50 %5.2f ms  p99 %6.2f ms  max %7.1f ms  errors %d  CPU %.0f µs/req%n",
                phase, r.rate(), r.p(0.5), r.p99(), r.latencies().length == 0 ? 0 : r.latencies()[r.latencies().length - 1] / 1e6,
                r.errors(), r.cpuSeconds() * 1e6 / Math.max(1, r.requests()));
    }

    static boolean hit(String path) {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("User-Agent", UA)
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == (path.startsWith("/t/o/") ? 200 : 302);
        } catch (Exception failed) {
            return false;
        }
    }

    static void warm(List<String> urls) {
        for (String url : urls) {
            hit(url);
        }
    }

    static Result closedLoop(List<String> urls, int clients, int seconds, long serverPid, List<Long> backends,
            AtomicLong made) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong errors = new AtomicLong();
        List<long[]> all = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        double cpu0 = Bench.cpuSeconds(serverPid) + Bench.cpuSeconds(backends);
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int first = c;
            long[][] own = {new long[1 << 16]};
            int[] n = {0};
            Thread thread = new Thread(() -> {
                int i = first;
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    if (!hit(urls.get(i % urls.size()))) {
                        errors.incrementAndGet();
                    }
                    if (n[0] == own[0].length) {
                        own[0] = Arrays.copyOf(own[0], n[0] * 2);
                    }
                    own[0][n[0]++] = System.nanoTime() - start;
                    i += clients;
                }
                synchronized (all) {
                    all.add(Arrays.copyOf(own[0], n[0]));
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double cpu = Bench.cpuSeconds(serverPid) + Bench.cpuSeconds(backends) - cpu0;
        long[] latencies = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        made.addAndGet(latencies.length);
        return new Result(latencies.length, elapsed, errors.get(), latencies, cpu);
    }

    /** Requests at a fixed rate from a pool of senders; each latency counts from the request's scheduled time. */
    static Result openLoop(List<String> urls, int rate, int seconds, long serverPid, List<Long> backends, AtomicLong made)
            throws Exception {
        int total = rate * seconds;
        long[] latencies = new long[total];
        AtomicLong next = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        int workers = 64;
        List<Thread> threads = new ArrayList<>();
        double cpu0 = Bench.cpuSeconds(serverPid) + Bench.cpuSeconds(backends);
        long t0 = System.nanoTime() + 50_000_000L;
        long interval = 1_000_000_000L / rate;
        for (int w = 0; w < workers; w++) {
            Thread thread = new Thread(() -> {
                while (true) {
                    long k = next.getAndIncrement();
                    if (k >= total) {
                        return;
                    }
                    long scheduled = t0 + k * interval;
                    long wait = scheduled - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    if (!hit(urls.get((int) (k % urls.size())))) {
                        errors.incrementAndGet();
                    }
                    latencies[(int) k] = System.nanoTime() - scheduled;
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double cpu = Bench.cpuSeconds(serverPid) + Bench.cpuSeconds(backends) - cpu0;
        Arrays.sort(latencies);
        made.addAndGet(total);
        return new Result(total, elapsed, errors.get(), latencies, cpu);
    }

    /** A list of {@code count} contacts imported through the API; answers its id. */
    /**
     * Campaigns are refused unless the From domain's DKIM, SPF and DMARC records were verified (ADR 0032).
     * The benchmark has no DNS server to publish them on, so it writes what a passing check writes, fresh,
     * straight into the database: what it measures starts after that check.
     */
    static void markVerified(String psql, long domainId) throws Exception {
        StringBuilder script = new StringBuilder("update sending_domain set dns_checked_at = now() where id = "
                + domainId + ";\n");
        for (String purpose : List.of("DKIM", "SPF", "DMARC")) {
            script.append("insert into sending_domain_check (domain_id, purpose, status, name, expected, found, checked_at)"
                    + " values (").append(domainId).append(", '").append(purpose)
                    .append("', 'VERIFIED', 'bench', 'bench', 'bench', now());\n");
        }
        Bench.psqlScript(psql, script.toString());
    }

    static long list(String name, int count, String prefix, String domain) throws Exception {
        Path csv = Files.createTempFile("bench-" + name, ".csv");
        StringBuilder rows = new StringBuilder("email,first_name\n");
        for (int i = 0; i < count; i++) {
            rows.append(prefix).append(i).append('@').append(domain).append(",Reader").append(i).append('\n');
        }
        Files.writeString(csv, rows);
        String list = Bench.send(base, "POST", "/api/v1/lists", auth, "{\"name\":\"" + name + "\"}", 201);
        String listId = Bench.group(list, "\"id\":(\\d+)");
        String job = Bench.upload(base, auth, csv, listId);
        Bench.awaitImport(base, auth, Bench.group(job, "\"id\":\"([^\"]+)\""));
        Files.delete(csv);
        return Long.parseLong(listId);
    }

    /** Creates an e-mail with two links to the list and sends it now as a campaign; answers the campaign's id. */
    static long campaign(String name, long listId) throws Exception {
        String html = "<html><body><p>Hello {{first_name}}</p><p><a href=\\\"https://shop.example.test/offer\\\">Shop</a>"
                + " <a href=\\\"https://blog.example.test/news\\\">Blog</a></p></body></html>";
        String email = Bench.send(base, "POST", "/api/v1/emails", auth, "{\"name\":\"" + name + "\",\"type\":\"REGULAR\","
                + "\"subject\":\"" + name + " news\",\"fromName\":\"News\",\"fromEmail\":\"" + SENDER + "\",\"html\":\""
                + html + "\",\"listIds\":[" + listId + "]}", 201);
        String emailId = Bench.group(email, "\"id\":(\\d+)");
        String campaign = Bench.send(base, "POST", "/api/v1/campaigns", auth, "{\"emailId\":" + emailId + "}", 201);
        return Long.parseLong(Bench.group(campaign, "\"campaign\":\\{\"id\":(\\d+)"));
    }

    static int env(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value);
    }

    static String awaitSaved(String rcpt, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            HttpResponse<String> saved = HTTP.send(HttpRequest.newBuilder(URI.create(sinkHttp + "/saved?rcpt=" + rcpt))
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
            if (saved.statusCode() == 200) {
                return saved.body();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no e-mail to " + rcpt + " reached the sink in " + seconds + " s");
            }
            Thread.sleep(100);
        }
    }

    /** The message with quoted-printable or base64 parts undone, good enough to find links in (as send.sh's). */
    static String decodedBody(String message) {
        StringBuilder out = new StringBuilder();
        Matcher part = Pattern.compile("(?is)Content-Transfer-Encoding:\\s*(\\S+)\\r?\\n(?:[^\\r\\n]+\\r?\\n)*\\r?\\n(.*?)(?=\\r?\\n--|\\z)")
                .matcher(message);
        boolean any = false;
        while (part.find()) {
            any = true;
            out.append(decode(part.group(1).toLowerCase(Locale.ROOT), part.group(2))).append('\n');
        }
        return any ? out.toString() : message;
    }

    static String decode(String encoding, String body) {
        if (encoding.equals("base64")) {
            try {
                return new String(Base64.getMimeDecoder().decode(body.strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException notBase64) {
                return body;
            }
        }
        if (encoding.equals("quoted-printable")) {
            String joined = body.replaceAll("=\r?\n", "");
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < joined.length(); i++) {
                char c = joined.charAt(i);
                if (c == '=' && i + 2 < joined.length() && Character.digit(joined.charAt(i + 1), 16) >= 0
                        && Character.digit(joined.charAt(i + 2), 16) >= 0) {
                    bytes.write(Integer.parseInt(joined.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    bytes.write(c);
                }
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }
        return body;
    }

    /** Confirms the sender as a person does: the link's page, then its button's POST with the page's CSRF token. */
    static void confirmLink(String link) throws Exception {
        HttpClient browser = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .cookieHandler(new java.net.CookieManager()).build();
        String page = browser.send(HttpRequest.newBuilder(URI.create(link)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        String csrf = Bench.group(page, "name=\"_csrf\"\\s+value=\"([^\"]+)\"");
        String token = link.substring(link.indexOf("token=") + 6);
        String form = "token=" + java.net.URLEncoder.encode(java.net.URLDecoder.decode(token, StandardCharsets.UTF_8),
                StandardCharsets.UTF_8) + "&_csrf=" + java.net.URLEncoder.encode(csrf, StandardCharsets.UTF_8);
        HttpResponse<String> confirmed = browser.send(HttpRequest.newBuilder(URI.create(link.substring(0, link.indexOf('?'))))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (confirmed.statusCode() != 200 || !confirmed.body().contains("sender-confirmed")) {
            throw new IllegalStateException("confirming the sender: " + confirmed.statusCode());
        }
    }
}
