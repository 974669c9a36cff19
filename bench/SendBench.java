import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
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
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Send benchmark against a running Mailtree whose SMTP relay is bench/SmtpSink.java (both started by
 * bench/send.sh). JDK only.
 *
 * <p>Usage: {@code java SendBench.java BASE SINK_SMTP_PORT SINK_HTTP_PORT [SECONDS=60]} with
 * BENCH_OPERATOR_TOKEN set. The sink must save mail to {@value #SENDER} and {@value #TEMPLATE_RCPT}
 * ({@code --save}). Optional environment: BENCH_THREADS (16), BENCH_BATCH (50), BENCH_MESSAGE_BYTES
 * (10240: text + html of each message), BENCH_RAW_SECONDS (10), BENCH_RAW_THREADS (MAILTREE_DELIVERY_WORKERS
 * or 4), BENCH_DRAIN_TIMEOUT (900 s), BENCH_STALL_TIMEOUT (120 s without a new delivery ends the wait),
 * BENCH_PSQL (a psql command line for the queue summary at the end), BENCH_SUBMISSION_PORT (Mailtree's SMTP
 * submission port; 0 or unset skips (d)), BENCH_SMTP_CLIENTS (8), BENCH_SMTP_SECONDS (30; 0 skips (d)),
 * BENCH_MESSAGES (0: send for SECONDS; N: send N messages, rounded up to whole batches, with SECONDS as a
 * cap, so that runs compared side by side do the same work: a run that accepts more spends a larger
 * share of its time draining with the API idle, and its end-to-end rate is not comparable otherwise).
 *
 * <p>Steps: provision a master, register the domain bench.example.test (DKIM key), add the sender
 * news@bench.example.test, read its confirmation e-mail from the sink and follow the link; warm up with
 * one batch; then (a) BENCH_THREADS clients post batches to /api/v1/send for SECONDS, (b) poll the sink
 * until every accepted message arrived, (c) blast the same (signed) message straight at the sink over
 * plain SMTP, no Mailtree, for BENCH_RAW_SECONDS: the raw limit of this host; (d) BENCH_SMTP_CLIENTS clients,
 * one connection each (AUTH PLAIN with the API key), submit a message of the same size to Mailtree's
 * submission port for BENCH_SMTP_SECONDS, then poll the sink until every accepted one arrived.
 */
public class SendBench {

    static final String DOMAIN = "bench.example.test";
    static final String SENDER = "news@bench.example.test";
    static final String TEMPLATE_RCPT = "warm-0@warm.example.test";
    static final String SINK_DOMAIN = "sink.example.test";
    static final String WARM_DOMAIN = "warm.example.test";
    static final String RAW_DOMAIN = "raw.example.test";

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    static String base;
    static String sinkHttp;
    static int sinkSmtp;
    static String auth;
    static String publicKey;
    static String secret;
    static String textPart;
    static String htmlPart;

    public static void main(String[] args) throws Exception {
        base = args[0];
        sinkSmtp = Integer.parseInt(args[1]);
        sinkHttp = "http://127.0.0.1:" + args[2];
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        String token = System.getenv("BENCH_OPERATOR_TOKEN");
        int threads = env("BENCH_THREADS", 16);
        int batch = env("BENCH_BATCH", 50);
        int messageBytes = env("BENCH_MESSAGE_BYTES", 10240);
        int rawSeconds = env("BENCH_RAW_SECONDS", 10);
        int rawThreads = env("BENCH_RAW_THREADS", env("MAILTREE_DELIVERY_WORKERS", 8));
        int drainTimeout = env("BENCH_DRAIN_TIMEOUT", 900);
        int stallTimeout = env("BENCH_STALL_TIMEOUT", 120);
        int submissionPort = env("BENCH_SUBMISSION_PORT", 0);
        int smtpClients = env("BENCH_SMTP_CLIENTS", 8);
        int smtpSeconds = submissionPort > 0 ? env("BENCH_SMTP_SECONDS", 30) : 0;
        int messages = env("BENCH_MESSAGES", 0);
        String loadBefore = loadAverage();
        System.out.printf("host: %d CPUs, load average %s%n", Runtime.getRuntime().availableProcessors(), loadBefore);

        // --- set-up: master, domain, sender confirmed through the e-mailed link -----------------
        String created = http("POST", base + "/api/platform/v1/masters", "Bearer " + token,
                "{\"name\":\"Bench send\",\"ownerEmail\":\"bench-send-owner@owner.example.test\",\"plan\":\"enterprise\"}",
                201);
        publicKey = Bench.group(created, "\"publicKey\":\"([^\"]+)\"");
        secret = Bench.group(created, "\"secret\":\"([^\"]+)\"");
        auth = "Basic " + Base64.getEncoder().encodeToString((publicKey + ":" + secret).getBytes(StandardCharsets.UTF_8));
        http("POST", base + "/api/v1/domains", auth, "{\"domain\":\"" + DOMAIN + "\"}", 201);
        long senderAdded = System.nanoTime();
        http("POST", base + "/api/v1/senders", auth, "{\"email\":\"" + SENDER + "\",\"name\":\"Bench News\"}", 201);
        String confirmation = awaitSaved(SENDER, 60);
        String link = Bench.group(decodedBody(confirmation), "(https?://\\S+/senders/confirm\\?token=[A-Za-z0-9_.%=-]+)");
        System.out.printf("setup: confirmation e-mail in the sink after %.1f s; link %s%n",
                (System.nanoTime() - senderAdded) / 1e9, link.replaceAll("token=.{12}.*", "token=…"));
        confirmLink(link);
        String senders = http("GET", base + "/api/v1/senders", auth, null, 200);
        if (!Pattern.compile("\"email\":\"" + Pattern.quote(SENDER) + "\"[^}]*\"verifiedAt\":\"").matcher(senders).find()) {
            throw new IllegalStateException("the sender is not confirmed after following the link: " + senders);
        }
        System.out.println("setup: master provisioned, domain " + DOMAIN + " registered, sender " + SENDER + " confirmed");

        buildContent(messageBytes);

        // --- warm-up: one batch, delivered end to end; its first message becomes the raw template --
        long warmStart = System.nanoTime();
        String warm = http("POST", base + "/api/v1/send", auth, batchJson(WARM_DOMAIN, "warm-", 0, batch), 200);
        int warmAccepted = Bench.count(warm, "\"status\":\"accepted\"");
        if (warmAccepted != batch) {
            throw new IllegalStateException("warm-up: " + warmAccepted + " of " + batch + " accepted: " + Bench.abbreviate(warm));
        }
        long warmDeadline = System.nanoTime() + 120_000_000_000L;
        while (domainStat(sinkStats(), WARM_DOMAIN, "messages") < batch) {
            if (System.nanoTime() > warmDeadline) {
                String id = Bench.group(warm, "\"id\":\"([^\"]+)\"");
                throw new IllegalStateException("warm-up: the sink got " + domainStat(sinkStats(), WARM_DOMAIN, "messages")
                        + " of " + batch + " messages in 120 s; first message: "
                        + http("GET", base + "/api/v1/messages/" + id, auth, null, 200));
            }
            Thread.sleep(100);
        }
        System.out.printf("warm-up: %d messages accepted and delivered in %.2f s%n", batch,
                (System.nanoTime() - warmStart) / 1e9);

        // --- (a) send for SECONDS with THREADS clients, (b) watch the sink ------------------------
        Map<String, Long> before = domainStats(sinkStats(), SINK_DOMAIN);
        LongAdder accepted = new LongAdder();
        LongAdder calls = new LongAdder();
        Map<String, LongAdder> refused = new ConcurrentHashMap<>();
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        List<String> acceptedIds = Collections.synchronizedList(new ArrayList<>());
        List<Recorder> latencies = new ArrayList<>();
        AtomicLong firstAcceptMillis = new AtomicLong(Long.MAX_VALUE);
        AtomicLong lastAcceptMillis = new AtomicLong();
        AtomicLong sampleShown = new AtomicLong();
        long sendStart = System.nanoTime();
        long sendStartMillis = System.currentTimeMillis();
        long sendDeadline = sendStart + seconds * 1_000_000_000L;
        // With BENCH_MESSAGES, each client takes a ticket per call and the calls stop at the last one.
        long callsWanted = messages > 0 ? (messages + batch - 1) / batch : Long.MAX_VALUE;
        AtomicLong tickets = new AtomicLong();
        if (messages > 0) {
            System.out.printf("send: %d threads, batches of %d, %,d messages (at most %d s) …%n", threads, batch,
                    callsWanted * batch, seconds);
        } else {
            System.out.printf("send: %d threads, batches of %d, %d s …%n", threads, batch, seconds);
        }
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Recorder mine = new Recorder();
            latencies.add(mine);
            int thread = t;
            Thread client = new Thread(() -> {
                int seq = 0;
                while (System.nanoTime() < sendDeadline && tickets.getAndIncrement() < callsWanted) {
                    String body = batchJson(SINK_DOMAIN, String.format("t%02d-", thread), seq, batch);
                    seq += batch;
                    long start = System.nanoTime();
                    HttpResponse<String> response;
                    try {
                        response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/send"))
                                .timeout(Duration.ofMinutes(2)).header("Authorization", auth)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                    } catch (Exception e) {
                        failures.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder()).increment();
                        continue;
                    }
                    mine.add(System.nanoTime() - start);
                    calls.increment();
                    if (response.statusCode() != 200) {
                        failures.computeIfAbsent("HTTP " + response.statusCode(), k -> new LongAdder()).increment();
                        if (sampleShown.getAndIncrement() < 3) {
                            System.out.println("send: HTTP " + response.statusCode() + ": " + Bench.abbreviate(response.body()));
                        }
                        continue;
                    }
                    String answer = response.body();
                    int ok = 0;
                    for (String result : answer.split("\\{\"index\":")) {
                        if (result.contains("\"status\":\"accepted\"")) {
                            ok++;
                            Matcher id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(result);
                            if (id.find() && (acceptedIds.size() < 100 || ThreadLocalRandom.current().nextInt(500) == 0)) {
                                acceptedIds.add(id.group(1));
                            }
                        } else if (result.contains("\"status\":\"refused\"")) {
                            Matcher code = Pattern.compile("\"code\":\"([^\"]+)\"").matcher(result);
                            refused.computeIfAbsent(code.find() ? code.group(1) : "?", k -> new LongAdder()).increment();
                            if (sampleShown.getAndIncrement() < 3) {
                                System.out.println("send: refused: " + Bench.abbreviate(result));
                            }
                        }
                    }
                    if (ok > 0) {
                        long now = System.currentTimeMillis();
                        firstAcceptMillis.accumulateAndGet(now, Math::min);
                        lastAcceptMillis.accumulateAndGet(now, Math::max);
                        accepted.add(ok);
                    }
                }
            }, "client-" + t);
            clients.add(client);
            client.start();
        }
        awaitClients("send", clients, accepted, before.get("messages"), sendStart);
        long sendEnd = System.nanoTime();
        double sendSeconds = (sendEnd - sendStart) / 1e9;
        long acceptedTotal = accepted.sum();
        long deliveredAtSendEnd = domainStat(sinkStats(), SINK_DOMAIN, "messages") - before.get("messages");
        String loadAfterSend = loadAverage();

        // --- (b) drain: until the sink has every accepted message ---------------------------------
        String stopReason = awaitDelivery("drain", before.get("messages"), acceptedTotal, stallTimeout, drainTimeout);
        boolean drained = stopReason.isEmpty();
        Map<String, Long> after = domainStats(sinkStats(), SINK_DOMAIN);
        long delivered = after.get("messages") - before.get("messages");
        long distinct = after.get("distinct") - before.get("distinct");
        long signed = after.get("signed") - before.get("signed");
        long bytes = after.get("bytes") - before.get("bytes");
        long lastDeliveryMillis = after.get("lastAt");
        String loadAfterDrain = loadAverage();

        // A few accepted messages as Mailtree reports them.
        Map<String, LongAdder> sampledStatus = new TreeMap<>();
        List<String> sample = new ArrayList<>(acceptedIds);
        Collections.shuffle(sample);
        for (String id : sample.subList(0, Math.min(20, sample.size()))) {
            String detail = http("GET", base + "/api/v1/messages/" + id, auth, null, 200);
            sampledStatus.computeIfAbsent(Bench.group(detail, "\"status\":\"([A-Z]+)\""), k -> new LongAdder()).increment();
        }
        String queued = http("GET", base + "/api/v1/messages?status=QUEUED&limit=200", auth, null, 200);
        int queuedSeen = Bench.count(queued, "\"status\":\"QUEUED\"");
        if (queuedSeen > 0) {
            System.out.println("queue: still QUEUED (first): " + Bench.abbreviate(queued));
        }
        String psql = System.getenv("BENCH_PSQL");
        if (psql != null && !psql.isBlank()) {
            System.out.println("queue (database): status | messages | tried more than once | max attempts | last error");
            run(psql + " -AtF ' | ' -c \"select status, count(*), count(*) filter (where attempts > 1), max(attempts), "
                    + "max(last_error) from message group by status order by status\"");
            System.out.println("events (database):");
            run(psql + " -AtF ' | ' -c \"select event_type, count(*) from message_event group by event_type order by 1\"");
        }

        // --- (c) raw SMTP: the same signed message straight at the sink ---------------------------
        byte[] template = rawTemplate();
        Map<String, Long> rawBefore = domainStats(sinkStats(), RAW_DOMAIN);
        LongAdder rawSent = new LongAdder();
        Map<String, LongAdder> rawFailures = new ConcurrentHashMap<>();
        long rawStart = System.nanoTime();
        long rawDeadline = rawStart + rawSeconds * 1_000_000_000L;
        List<Thread> blasters = new ArrayList<>();
        for (int t = 0; t < rawThreads; t++) {
            int thread = t;
            Thread blaster = new Thread(() -> {
                try {
                    rawClient(thread, template, rawDeadline, rawSent);
                } catch (Exception e) {
                    rawFailures.computeIfAbsent(e.getClass().getSimpleName() + ": " + e.getMessage(),
                            k -> new LongAdder()).increment();
                }
            }, "raw-" + t);
            blasters.add(blaster);
            blaster.start();
        }
        for (Thread blaster : blasters) {
            blaster.join();
        }
        double rawElapsed = (System.nanoTime() - rawStart) / 1e9;
        Map<String, Long> rawAfter = domainStats(sinkStats(), RAW_DOMAIN);
        long rawCounted = rawAfter.get("messages") - rawBefore.get("messages");

        // --- (d) SMTP submission: the same size of message through Mailtree's submission port -----
        SmtpPhase smtp = smtpSeconds > 0 ? smtpPhase(submissionPort, smtpClients, smtpSeconds, stallTimeout, drainTimeout)
                : null;

        // --- results -------------------------------------------------------------------------------
        List<Long> all = new ArrayList<>();
        for (Recorder mine : latencies) {
            for (int i = 0; i < mine.n; i++) {
                all.add(mine.values[i]);
            }
        }
        Collections.sort(all);
        long refusedTotal = refused.values().stream().mapToLong(LongAdder::sum).sum();
        double acceptedRate = acceptedTotal / sendSeconds;
        double endToEndSeconds = (lastDeliveryMillis - firstAcceptMillis.get()) / 1e3;
        double deliveredRate = delivered / endToEndSeconds;
        double rawRate = rawSent.sum() / rawElapsed;
        System.out.println();
        System.out.println("== send benchmark ==");
        System.out.printf("message: text+html %,d bytes as given; %,.0f bytes as delivered (MIME, DKIM-signed)%n",
                textPart.length() + htmlPart.length(), delivered == 0 ? 0.0 : (double) bytes / delivered);
        System.out.printf("send:      %d threads x batches of %d for %.1f s: %,d calls, %,d accepted = %,.0f msg/s accepted%n",
                threads, batch, sendSeconds, calls.sum(), acceptedTotal, acceptedRate);
        System.out.printf("send call: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms (per call of %d)%n",
                pct(all, 50), pct(all, 90), pct(all, 99), all.isEmpty() ? 0 : all.get(all.size() - 1) / 1e6, batch);
        System.out.printf("refused:   %,d %s; failed calls: %s%n", refusedTotal, counts(refused), counts(failures));
        System.out.printf("delivered: %,d of %,d accepted (%,d distinct recipients, %,d DKIM-signed)%s%n", delivered,
                acceptedTotal, distinct, signed, drained ? "" : " - NOT ALL: " + stopReason);
        double drainSeconds = Math.max(0, lastDeliveryMillis - (sendStartMillis + (long) (sendSeconds * 1000))) / 1e3;
        System.out.printf("delivered: first accept -> last delivery %.1f s = %,.0f msg/s end to end%n", endToEndSeconds,
                deliveredRate);
        System.out.printf("delivered: %,d while sending (%,.0f msg/s over the send window), %,d after it in %.1f s "
                + "(%,.0f msg/s with the API idle)%n", deliveredAtSendEnd, deliveredAtSendEnd / sendSeconds,
                delivered - deliveredAtSendEnd, drainSeconds,
                drainSeconds > 0 ? (delivered - deliveredAtSendEnd) / drainSeconds : 0.0);
        System.out.printf("sampled:   %d accepted messages via GET /api/v1/messages/{id}: %s; QUEUED listed now: %d%n",
                Math.min(20, sample.size()), counts(sampledStatus), queuedSeen);
        System.out.printf("raw SMTP:  %d threads, one connection each, %,d-byte message, %.1f s: %,d messages = %,.0f msg/s "
                + "(sink counted %,d)%s%n", rawThreads, template.length, rawElapsed, rawSent.sum(), rawRate, rawCounted,
                rawFailures.isEmpty() ? "" : "; failures " + counts(rawFailures));
        if (smtp != null) {
            smtp.report();
        }
        System.out.printf("ratio:     delivered/raw = %.3f, accepted/raw = %.3f%s%n", deliveredRate / rawRate,
                acceptedRate / rawRate, smtp == null ? "" : String.format(", smtp accepted/raw = %.3f",
                        smtp.acceptedRate() / rawRate));
        // The first wall the issue names: RSA-2048 signatures a core makes here, measured after everything else.
        double signatures = rsaSignaturesPerSecond();
        System.out.printf("signing:   %,.0f RSA-2048 signatures/s on one thread of this host (the ceiling of DKIM-signed "
                + "delivery is about that times the cores, minus what the API, the database and the sink use)%n", signatures);
        System.out.printf("load:      before %s; end of send %s; end of drain %s; end %s%n", loadBefore, loadAfterSend,
                loadAfterDrain, loadAverage());
        if (!drained || refusedTotal > 0 || !failures.isEmpty() || (smtp != null && !smtp.clean())) {
            System.exit(3);
        }
    }

    /**
     * Polls the sink's counters for {@value #SINK_DOMAIN} until it has {@code expected} messages more than
     * {@code baseMessages}; answers why it stopped early, or "" when they all arrived.
     */
    static String awaitDelivery(String label, long baseMessages, long expected, int stallTimeout, int drainTimeout)
            throws Exception {
        long drainStart = System.nanoTime();
        long lastProgress = System.nanoTime();
        long lastCount = domainStat(sinkStats(), SINK_DOMAIN, "messages") - baseMessages;
        long lastDrainReport = drainStart;
        while (true) {
            long got = domainStat(sinkStats(), SINK_DOMAIN, "messages") - baseMessages;
            if (got >= expected) {
                return "";
            }
            long now = System.nanoTime();
            if (got > lastCount) {
                lastCount = got;
                lastProgress = now;
            }
            if (now - lastProgress > stallTimeout * 1_000_000_000L) {
                return "no new delivery for " + stallTimeout + " s";
            }
            if (now - drainStart > drainTimeout * 1_000_000_000L) {
                return "drain timeout of " + drainTimeout + " s";
            }
            if (now - lastDrainReport >= 10_000_000_000L) {
                System.out.printf("%s: +%3.0f s delivered %,d of %,d (backlog %,d) load %s%n", label,
                        (now - drainStart) / 1e9, got, expected, expected - got, loadAverage());
                lastDrainReport = now;
            }
            Thread.sleep(200);
        }
    }

    // --- SMTP submission ------------------------------------------------------------------------

    /** What the SMTP submission phase measured, and its lines of the report. */
    record SmtpPhase(int clients, double seconds, long accepted, List<Long> latencies, Map<String, LongAdder> replies,
            Map<String, LongAdder> failures, long delivered, long distinct, long signed, double endToEndSeconds,
            String stopReason) {

        double acceptedRate() {
            return accepted / seconds;
        }

        boolean clean() {
            return stopReason.isEmpty() && replies.isEmpty() && failures.isEmpty();
        }

        void report() {
            System.out.printf("smtp:      %d clients x 1 connection for %.1f s: %,d accepted = %,.0f msg/s accepted, "
                    + "p50 %.0f ms, p99 %.0f ms%n", clients, seconds, accepted, acceptedRate(), pct(latencies, 50),
                    pct(latencies, 99));
            System.out.printf("smtp:      non-2xx replies: %s; failed connections: %s%n", counts(replies), counts(failures));
            System.out.printf("smtp:      delivered %,d of %,d (%,d distinct recipients, %,d DKIM-signed)%s; first accept "
                    + "-> last delivery %.1f s = %,.0f msg/s end to end%n", delivered, accepted, distinct, signed,
                    stopReason.isEmpty() ? "" : " - NOT ALL: " + stopReason, endToEndSeconds,
                    endToEndSeconds > 0 ? delivered / endToEndSeconds : 0.0);
        }
    }

    /**
     * CLIENTS threads, each with one connection to Mailtree's submission port (EHLO, AUTH PLAIN once),
     * submitting one message after another for SECONDS, one reply at a time; then waits for the sink.
     */
    static SmtpPhase smtpPhase(int port, int clients, int seconds, int stallTimeout, int drainTimeout) throws Exception {
        byte[] body = smtpBody();
        // Fails fast (and warms the path up) with one message to the warm-up domain, delivered end to end.
        long warmBefore = domainStat(sinkStats(), WARM_DOMAIN, "messages");
        long warmStart = System.nanoTime();
        try (SmtpConnection connection = new SmtpConnection(port)) {
            String reply = connection.submit("smtp-warm-0@" + WARM_DOMAIN, body);
            if (!reply.startsWith("250")) {
                throw new IllegalStateException("SMTP warm-up: the message was refused: " + reply);
            }
        }
        long warmDeadline = System.nanoTime() + 120_000_000_000L;
        while (domainStat(sinkStats(), WARM_DOMAIN, "messages") <= warmBefore) {
            if (System.nanoTime() > warmDeadline) {
                throw new IllegalStateException("SMTP warm-up: the submitted message did not reach the sink in 120 s");
            }
            Thread.sleep(100);
        }
        System.out.printf("smtp: warm-up message submitted and delivered in %.2f s%n", (System.nanoTime() - warmStart) / 1e9);

        Map<String, Long> before = domainStats(sinkStats(), SINK_DOMAIN);
        LongAdder accepted = new LongAdder();
        Map<String, LongAdder> replies = new ConcurrentHashMap<>();
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        AtomicLong firstAcceptMillis = new AtomicLong(Long.MAX_VALUE);
        AtomicLong sampleShown = new AtomicLong();
        List<Recorder> latencies = new ArrayList<>();
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        System.out.printf("smtp: %d clients, one connection each, to port %d, %d s …%n", clients, port, seconds);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < clients; t++) {
            Recorder mine = new Recorder();
            latencies.add(mine);
            String prefix = String.format("s%02d-", t);
            Thread client = new Thread(() -> {
                int seq = 0;
                while (System.nanoTime() < deadline) {
                    try (SmtpConnection connection = new SmtpConnection(port)) {
                        while (System.nanoTime() < deadline) {
                            long begin = System.nanoTime();
                            String reply = connection.submit(prefix + seq++ + "@" + SINK_DOMAIN, body);
                            if (reply.startsWith("250")) {
                                mine.add(System.nanoTime() - begin);
                                accepted.increment();
                                firstAcceptMillis.accumulateAndGet(System.currentTimeMillis(), Math::min);
                            } else {
                                replies.computeIfAbsent(reply.length() < 3 ? reply : reply.substring(0, 3),
                                        k -> new LongAdder()).increment();
                                if (sampleShown.getAndIncrement() < 3) {
                                    System.out.println("smtp: " + Bench.abbreviate(reply));
                                }
                                connection.reset();
                            }
                        }
                        connection.quit();
                    } catch (Exception e) {
                        failures.computeIfAbsent(e.getClass().getSimpleName() + ": " + e.getMessage(),
                                k -> new LongAdder()).increment();
                        try {
                            Thread.sleep(500); // then a new connection, while there is time
                        } catch (InterruptedException stop) {
                            return;
                        }
                    }
                }
            }, "smtp-" + t);
            threads.add(client);
            client.start();
        }
        awaitClients("smtp", threads, accepted, before.get("messages"), start);
        double elapsed = (System.nanoTime() - start) / 1e9;
        long acceptedTotal = accepted.sum();
        String stopReason = awaitDelivery("smtp drain", before.get("messages"), acceptedTotal, stallTimeout, drainTimeout);
        Map<String, Long> after = domainStats(sinkStats(), SINK_DOMAIN);
        List<Long> all = new ArrayList<>();
        for (Recorder mine : latencies) {
            for (int i = 0; i < mine.n; i++) {
                all.add(mine.values[i]);
            }
        }
        Collections.sort(all);
        double endToEnd = acceptedTotal == 0 ? 0 : (after.get("lastAt") - firstAcceptMillis.get()) / 1e3;
        return new SmtpPhase(clients, elapsed, acceptedTotal, all, replies, failures,
                after.get("messages") - before.get("messages"), after.get("distinct") - before.get("distinct"),
                after.get("signed") - before.get("signed"), endToEnd, stopReason);
    }

    /**
     * The body of the submitted message, after its To and Subject headers: multipart/alternative with the
     * same text and HTML parts as the API's messages, CRLF line ends, dot-stuffed, ended with the lone dot.
     */
    static byte[] smtpBody() {
        String boundary = "=_bench_alternative_0123456789";
        StringBuilder mime = new StringBuilder(textPart.length() + htmlPart.length() + 1024)
                .append("From: \"Bench News\" <").append(SENDER).append(">\r\n")
                .append("MIME-Version: 1.0\r\n")
                .append("Content-Type: multipart/alternative; boundary=\"").append(boundary).append("\"\r\n")
                .append("\r\n")
                .append("--").append(boundary).append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n");
        appendLines(mime, textPart);
        mime.append("--").append(boundary).append("\r\n")
                .append("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n");
        appendLines(mime, htmlPart);
        mime.append("--").append(boundary).append("--\r\n.\r\n");
        return mime.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The text's lines with CRLF ends, dot-stuffed; a last line without an end gets one. */
    static void appendLines(StringBuilder out, String text) {
        for (String line : text.split("\r?\n", -1)) {
            out.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
        }
        if (text.endsWith("\n")) {
            out.setLength(out.length() - 2); // split left an empty last element
        }
    }

    /** One authenticated submission connection: plain socket, TCP_NODELAY, one reply at a time. */
    static final class SmtpConnection implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        SmtpConnection(int port) throws Exception {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(120_000);
                in = new java.io.BufferedInputStream(socket.getInputStream());
                out = new java.io.BufferedOutputStream(socket.getOutputStream(), 65536);
                require(reply(), "220", "greeting");
                require(send("EHLO smtp.bench"), "250", "EHLO");
                String plain = Base64.getEncoder().encodeToString(("\0" + publicKey + "\0" + secret)
                        .getBytes(StandardCharsets.UTF_8));
                require(send("AUTH PLAIN " + plain), "235", "AUTH PLAIN");
            } catch (Exception e) {
                socket.close();
                throw e;
            }
        }

        /** MAIL, RCPT, DATA, the message: the final reply (250 when accepted), or the first refusal. */
        String submit(String rcpt, byte[] body) throws Exception {
            String reply = send("MAIL FROM:<" + SENDER + ">");
            if (!reply.startsWith("250")) {
                return reply;
            }
            reply = send("RCPT TO:<" + rcpt + ">");
            if (!reply.startsWith("250")) {
                return reply;
            }
            reply = send("DATA");
            if (!reply.startsWith("354")) {
                return reply;
            }
            out.write(("To: <" + rcpt + ">\r\nSubject: Bench newsletter " + rcpt.substring(0, rcpt.indexOf('@'))
                    + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            return reply();
        }

        void reset() throws Exception {
            require(send("RSET"), "250", "RSET");
        }

        void quit() throws Exception {
            send("QUIT");
        }

        String send(String line) throws Exception {
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return reply();
        }

        /** A (multi-line) reply's last line. */
        String reply() throws Exception {
            while (true) {
                StringBuilder line = new StringBuilder();
                int b;
                while ((b = in.read()) != '\n') {
                    if (b < 0) {
                        throw new IllegalStateException("connection closed by Mailtree");
                    }
                    line.append((char) b);
                }
                if (line.length() < 4 || line.charAt(3) != '-') {
                    return line.toString().strip();
                }
            }
        }

        static void require(String reply, String code, String what) {
            if (!reply.startsWith(code)) {
                throw new IllegalStateException(what + ": expected " + code + ", got " + reply);
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    // --- content --------------------------------------------------------------------------------

    static void buildContent(int bytes) {
        String[] words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut "
                + "labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi "
                + "aliquip ex ea commodo consequat").split(" ");
        int textBytes = bytes * 2 / 5;
        StringBuilder text = new StringBuilder("Hello,\n\nThis is the weekly bench newsletter.\n\n");
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>"
                + "body{font-family:Arial,sans-serif}td{padding:4px}</style></head><body>\n<table width=\"600\">\n");
        int w = 0;
        while (text.length() < textBytes - 40) {
            StringBuilder line = new StringBuilder();
            while (line.length() < 66) {
                line.append(words[w++ % words.length]).append(' ');
            }
            text.append(line.toString().strip()).append('\n');
        }
        text.append("\nUnsubscribe: https://bench.example.test/u\n");
        while (html.length() < bytes - text.length() - 60) {
            StringBuilder line = new StringBuilder("<tr><td class=\"row\">");
            while (line.length() < 90) {
                line.append(words[w++ % words.length]).append(' ');
            }
            html.append(line).append("</td></tr>\n");
        }
        html.append("</table></body></html>\n");
        textPart = text.toString();
        htmlPart = html.toString();
    }

    static String batchJson(String domain, String prefix, int seq, int size) {
        StringBuilder json = new StringBuilder(size * (textPart.length() + htmlPart.length() + 400)).append("{\"messages\":[");
        for (int i = 0; i < size; i++) {
            String id = prefix + (seq + i);
            json.append(i == 0 ? "" : ",").append("{\"from\":{\"email\":\"").append(SENDER)
                    .append("\",\"name\":\"Bench News\"},\"to\":[{\"email\":\"").append(id).append('@').append(domain)
                    .append("\",\"name\":\"Recipient ").append(id).append("\"}],\"subject\":\"Bench newsletter ")
                    .append(id).append("\",\"text\":").append(quote(textPart)).append(",\"html\":").append(quote(htmlPart))
                    .append(",\"customId\":\"").append(id).append("\"}");
        }
        return json.append("]}").toString();
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 64).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }

    // --- raw SMTP -------------------------------------------------------------------------------

    /** The warm-up's first message as the sink received it, dot-stuffed again and ended with the lone dot. */
    static byte[] rawTemplate() throws Exception {
        HttpResponse<byte[]> saved = HTTP.send(HttpRequest.newBuilder(URI.create(sinkHttp + "/saved?rcpt=" + TEMPLATE_RCPT))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        String message = saved.statusCode() == 200 ? new String(saved.body(), StandardCharsets.ISO_8859_1)
                : "From: " + SENDER + "\r\nTo: " + TEMPLATE_RCPT + "\r\nSubject: raw\r\n\r\n" + textPart + htmlPart;
        StringBuilder out = new StringBuilder(message.length() + 64);
        for (String line : message.split("\r?\n", -1)) {
            out.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
        }
        if (message.endsWith("\n")) {
            out.setLength(out.length() - 2); // split left an empty last element
        }
        out.append(".\r\n");
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One connection, reused: MAIL, RCPT, DATA, content, one reply at a time (as Jakarta Mail does). */
    static void rawClient(int thread, byte[] template, long deadline, LongAdder sent) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sinkSmtp)) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
            OutputStream out = new java.io.BufferedOutputStream(socket.getOutputStream(), 65536);
            expect(in, "220");
            command(out, in, "EHLO raw.bench", "250");
            int seq = 0;
            while (System.nanoTime() < deadline) {
                command(out, in, "MAIL FROM:<bounces@" + RAW_DOMAIN + ">", "250");
                command(out, in, "RCPT TO:<r" + thread + "-" + seq++ + "@" + RAW_DOMAIN + ">", "250");
                command(out, in, "DATA", "354");
                out.write(template);
                out.flush();
                expect(in, "250");
                sent.increment();
            }
            command(out, in, "QUIT", "221");
        }
    }

    static void command(OutputStream out, InputStream in, String line, String code) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        expect(in, code);
    }

    /** Reads a (multi-line) reply and checks its code. */
    static void expect(InputStream in, String code) throws Exception {
        while (true) {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IllegalStateException("connection closed by the sink");
                }
                line.append((char) b);
            }
            if (!line.toString().startsWith(code)) {
                throw new IllegalStateException("expected " + code + ", got " + line.toString().strip());
            }
            if (line.length() < 4 || line.charAt(3) != '-') {
                return;
            }
        }
    }

    // --- sink -----------------------------------------------------------------------------------

    static String sinkStats() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(sinkHttp + "/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static Map<String, Long> domainStats(String stats, String domain) {
        Map<String, Long> values = new TreeMap<>();
        for (String key : List.of("messages", "recipients", "bytes", "signed", "distinct", "firstAt", "lastAt")) {
            values.put(key, domainStat(stats, domain, key));
        }
        return values;
    }

    static long domainStat(String stats, String domain, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(domain) + "\":\\{[^}]*\"" + key + "\":(\\d+)").matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
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
            Thread.sleep(200);
        }
    }

    /** The body of a single-part message, undoing quoted-printable or base64. */
    static String decodedBody(String message) {
        int split = message.indexOf("\r\n\r\n");
        String headers = split < 0 ? "" : message.substring(0, split);
        String body = split < 0 ? message : message.substring(split + 4);
        Matcher cte = Pattern.compile("(?im)^Content-Transfer-Encoding:\\s*(\\S+)").matcher(headers);
        String encoding = cte.find() ? cte.group(1).toLowerCase(Locale.ROOT) : "7bit";
        if (encoding.equals("base64")) {
            return new String(Base64.getMimeDecoder().decode(body.strip()), StandardCharsets.UTF_8);
        }
        if (encoding.equals("quoted-printable")) {
            String joined = body.replaceAll("=\r?\n", "");
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < joined.length(); i++) {
                char c = joined.charAt(i);
                if (c == '=' && i + 2 < joined.length() && isHex(joined.charAt(i + 1)) && isHex(joined.charAt(i + 2))) {
                    out.write(Integer.parseInt(joined.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    out.write(c);
                }
            }
            return out.toString(StandardCharsets.UTF_8);
        }
        return body;
    }

    static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    // --- helpers --------------------------------------------------------------------------------

    /**
     * Confirms a sender as a person does: opening the link shows a button (a GET confirms nothing),
     * whose form POSTs the token with the page's CSRF token in the same cookie session.
     */
    static void confirmLink(String link) throws Exception {
        HttpClient browser = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .cookieHandler(new java.net.CookieManager()).build();
        String page = browser.send(HttpRequest.newBuilder(URI.create(link)).timeout(Duration.ofMinutes(1)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String csrf = Bench.group(page, "name=\"_csrf\"\\s+value=\"([^\"]+)\"");
        String token = link.substring(link.indexOf("token=") + 6);
        String form = "token=" + java.net.URLEncoder.encode(java.net.URLDecoder.decode(token, StandardCharsets.UTF_8),
                StandardCharsets.UTF_8) + "&_csrf=" + java.net.URLEncoder.encode(csrf, StandardCharsets.UTF_8);
        HttpResponse<String> confirmed = browser.send(HttpRequest.newBuilder(URI.create(link.substring(0, link.indexOf('?'))))
                .timeout(Duration.ofMinutes(1)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (confirmed.statusCode() != 200 || !confirmed.body().contains("sender-confirmed")) {
            throw new IllegalStateException("confirming the sender: " + confirmed.statusCode() + " "
                    + Bench.abbreviate(confirmed.body()));
        }
    }

    static String http(String method, String url, String authorization, String json, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + url + ": " + response.statusCode() + " "
                    + Bench.abbreviate(response.body()));
        }
        return response.body();
    }

    /** One client thread's call latencies (ns). */
    static final class Recorder {
        long[] values = new long[4096];
        int n;

        void add(long value) {
            if (n == values.length) {
                values = java.util.Arrays.copyOf(values, n * 2);
            }
            values[n++] = value;
        }
    }

    /** SHA256withRSA signatures of a 300-byte input per second on one thread, over 3 s after a 1 s warm-up. */
    static double rsaSignaturesPerSecond() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.PrivateKey key = generator.generateKeyPair().getPrivate();
        byte[] data = new byte[300];
        double rate = 0;
        for (long window : new long[] {1_000_000_000L, 3_000_000_000L}) {
            long started = System.nanoTime();
            int count = 0;
            while (System.nanoTime() - started < window) {
                java.security.Signature signature = java.security.Signature.getInstance("SHA256withRSA");
                signature.initSign(key);
                signature.update(data);
                signature.sign();
                count++;
            }
            rate = count / ((System.nanoTime() - started) / 1e9);
        }
        return rate;
    }

    /**
     * Waits for the client threads of a phase to end, printing every 10 s how many were accepted and
     * how many reached the sink since {@code sinkBefore}, with the rates over the last interval.
     */
    static void awaitClients(String phase, List<Thread> clients, LongAdder accepted, long sinkBefore, long started)
            throws Exception {
        long lastReport = System.nanoTime();
        long lastAccepted = 0;
        long lastDelivered = 0;
        while (clients.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(200);
            if (System.nanoTime() - lastReport >= 10_000_000_000L) {
                long now = System.nanoTime();
                double interval = (now - lastReport) / 1e9;
                long acc = accepted.sum();
                long del = domainStat(sinkStats(), SINK_DOMAIN, "messages") - sinkBefore;
                System.out.printf("%s: t=%3.0f s accepted %,d (%,.0f/s) delivered %,d (%,.0f/s) backlog %,d load %s%n",
                        phase, (now - started) / 1e9, acc, (acc - lastAccepted) / interval, del,
                        (del - lastDelivered) / interval, acc - del, loadAverage());
                lastReport = now;
                lastAccepted = acc;
                lastDelivered = del;
            }
        }
        for (Thread client : clients) {
            client.join();
        }
    }

    static int env(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip());
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (Exception unavailable) {
            return "?";
        }
    }

    static void run(String command) throws Exception {
        Process process = new ProcessBuilder("bash", "-c", command).inheritIO().start();
        if (process.waitFor() != 0) {
            System.out.println("(failed: " + command + ")");
        }
    }

    static String counts(Map<String, LongAdder> counts) {
        if (counts.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder("{");
        new TreeMap<>(counts).forEach((k, v) -> out.append(out.length() > 1 ? ", " : "").append(k).append('=').append(v.sum()));
        return out.append('}').toString();
    }

    static double pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, Math.max(0, (int) Math.ceil(p / 100 * sorted.size()) - 1))) / 1e6;
    }
}
