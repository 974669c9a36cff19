import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Outcome consumer benchmark against a running Mailtree on PostgreSQL (started by
 * bench/consumers.sh). JDK only; the events are appended with psql. For each consumer: one
 * transaction appends EVENTS events (per message ACCEPTED, QUEUED, then DELIVERED, or a hard bounce
 * for 2 % of them, or a complaint for 0.1 %, to 20,000 addresses of which CONTACTS are subscribed
 * contacts) and moves every other consumer past them, so the one measured works alone; then the time
 * until its position reaches the last event, and the CPU the server JVM and its PostgreSQL backends
 * spent meanwhile (the append itself not counted). The events carry the master's API key, so
 * {@code keys.reputation} counts every one of them, and the master has a webhook endpoint subscribed
 * to every message event type, answered by a local receiver, so {@code tracking.webhooks} enqueues
 * every one (its CPU figure includes the webhook sender posting them, which runs meanwhile).
 */
public class ConsumersBench {

    static final List<String> CONSUMERS = List.of("contacts.suppressions", "accounts.last-send", "keys.reputation",
            "tracking.webhooks", "billing.metering");
    static String base;
    static String psql;

    /** The webhook endpoint's receiver; its thread would keep the JVM alive, so main stops it whatever happens. */
    static HttpServer receiver;

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } finally {
            if (receiver != null) {
                receiver.stop(0);
            }
        }
    }

    static void run(String[] args) throws Exception {
        base = args[0];
        int events = Integer.parseInt(args[1]);
        int contacts = Integer.parseInt(args[2]);
        String token = System.getenv("BENCH_OPERATOR_TOKEN");
        Path work = Path.of(System.getenv("BENCH_WORK"));
        psql = System.getenv("BENCH_PSQL");
        long serverPid = Long.parseLong(System.getenv("BENCH_SERVER_PID"));
        String database = System.getenv("BENCH_DB_NAME");

        String created = Bench.send(base, "POST", "/api/platform/v1/masters", "Bearer " + token,
                "{\"name\":\"Bench outcomes\",\"ownerEmail\":\"bench-outcomes@example.test\",\"plan\":\"enterprise\"}", 201);
        String masterId = Bench.group(created, "\"master\":\\{\"id\":\"([^\"]+)\"");
        Bench.send(base, "PATCH", "/api/platform/v1/masters/" + masterId, "Bearer " + token, "{\"enterpriseContactLimit\":10000000}", 200);
        String auth = "Basic " + Base64.getEncoder().encodeToString((Bench.group(created, "\"publicKey\":\"([^\"]+)\"") + ":"
                + Bench.group(created, "\"secret\":\"([^\"]+)\"")).getBytes(StandardCharsets.UTF_8));
        String keyId = Bench.psqlOutput(psql, "-Atc \"select id from api_key where account_id = '" + masterId
                + "' order by created_at limit 1\"").strip();
        // The webhook endpoint's receiver: answers every batch at once, so the sender never retries.
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        Bench.send(base, "POST", "/api/v1/webhooks", auth, "{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort()
                + "/hook\",\"eventTypes\":[\"message.delivered\",\"message.bounced\",\"message.complained\"]}", 201);
        Path csv = work.resolve("contacts.csv");
        StringBuilder rows = new StringBuilder("email\n");
        for (int i = 0; i < contacts; i++) {
            rows.append('c').append(i).append("@bench.example.test\n");
        }
        Files.writeString(csv, rows);
        String job = Bench.upload(base, auth, csv, null);
        Bench.awaitImport(base, auth, Bench.group(job, "\"id\":\"([^\"]+)\""));
        System.out.printf("setup: master %s with %,d subscribed contacts%n", masterId, contacts);

        List<String> results = new ArrayList<>();
        // BENCH_ONLY (a comma-separated list of consumer names) measures just those.
        String only = System.getenv("BENCH_ONLY");
        List<String> chosen = only == null || only.isBlank() ? CONSUMERS : List.of(only.split(","));
        for (String consumer : chosen) {
            long before = query("select coalesce(max(id), 0) from message_event");
            long started = System.nanoTime();
            // Message m's events are 3m+1 .. 3m+3; 2 % of messages bounce hard, 0.1 % draw a complaint.
            Bench.psqlScript(psql, """
                    begin;
                    insert into message_event (account_id, message_id, api_key_id, event_type, recipient, bounce_class,
                        detail, occurred_at)
                    select '%s'::uuid, e.i / 3, '%s'::uuid,
                        case when e.i %% 3 = 0 then 'ACCEPTED' when e.i %% 3 = 1 then 'QUEUED'
                             when (e.i / 3) * 2654435761 %% 50 = 0 then 'BOUNCED'
                             when (e.i / 3) * 40503 %% 1000 = 1 then 'COMPLAINED' else 'DELIVERED' end,
                        case when e.i %% 3 = 2 then 'c' || ((e.i / 3) %% 20000) || '@bench.example.test' end,
                        case when e.i %% 3 = 2 and (e.i / 3) * 2654435761 %% 50 = 0 then 'HARD' end,
                        case when e.i %% 3 = 2 and (e.i / 3) * 2654435761 %% 50 = 0 then 'hard: 550 5.1.1 user unknown' end,
                        now() - interval '1 minute' + e.i * interval '1 microsecond'
                    from generate_series(0::bigint, %d) as e(i);
                    update event_consumer set position_tx = pg_current_xact_id()::text::bigint,
                        position_id = (select max(id) from message_event) where name <> '%s';
                    commit;
                    """.formatted(masterId, keyId, events - 1, consumer));
            long appended = System.nanoTime();
            // The consumer's CPU only: the append's (psql and its backend) is not counted.
            List<Long> backends = Bench.backends(psql, database);
            double cpuBefore = Bench.cpuSeconds(serverPid) + Bench.cpuSeconds(backends);
            long last = query("select max(id) from message_event");
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (query("select position_id from event_consumer where name = '" + consumer + "'") < last) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(consumer + " did not get through the backlog in 30 minutes");
                }
                Thread.sleep(100);
            }
            long finished = System.nanoTime();
            double cpuAfter = Bench.cpuSeconds(serverPid) + Bench.cpuSeconds(backends);
            double seconds = (finished - appended) / 1e9;
            long count = last - before;
            double cpuSeconds = cpuAfter - cpuBefore;
            String line = String.format("consumer %-22s %,d events in %.1f s: %,.0f events/s, CPU %.1f µs/event "
                    + "(server JVM + its PostgreSQL backends; the append before took %.1f s)", consumer, count, seconds,
                    count / seconds, cpuSeconds * 1e6 / count, (appended - started) / 1e9);
            System.out.println(line);
            results.add(line);
        }
        System.out.printf("suppressions: %d, bounced contacts: %d, complained contacts: %d%n",
                query("select count(*) from suppression"), query("select count(*) from contact where status = 'BOUNCED'"),
                query("select count(*) from contact where status = 'COMPLAINED'"));
        System.out.println("summary:");
        results.forEach(r -> System.out.println("  " + r));
    }
    static long query(String sql) throws Exception {
        return Long.parseLong(Bench.psqlOutput(psql, "-Atc \"" + sql.replace("\"", "\\\"") + "\"").strip());
    }
}
