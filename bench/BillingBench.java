import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issuing a period's invoices for MASTERS masters with SUBS sub-accounts each (defaults 10,000 × 10):
 * the tree and a month of metered usage are written straight into the database (set-up, not
 * measured), then {@code POST /api/platform/v1/billing/invoices/issue} for that month is timed while
 * the server's heap is sampled every 100 ms. Prints invoices/s, the time, the peak heap, and checks
 * that the series has no gap and that every invoice's lines sum to its subtotal.
 */
public class BillingBench {

    static String base;

    public static void main(String[] args) throws Exception {
        base = args[0];
        int masters = Integer.parseInt(args[1]);
        int subs = Integer.parseInt(args[2]);
        String token = System.getenv("BENCH_OPERATOR_TOKEN");
        String psql = System.getenv("BENCH_PSQL");
        LocalDate period = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).minusMonths(1);
        long setup = System.nanoTime();
        Bench.psqlScript(psql, """
                begin;
                insert into account (id, kind, parent_id, root_id, name, name_key, plan_code, status, verified_at,
                    created_at, updated_at, subaccount_count)
                select m.id, 'MASTER', null, m.id, 'Bench master ' || m.n, 'bench master ' || m.n, 'volume-150k', 'ACTIVE',
                    now(), now(), now(), %2$d
                from (select n, md5('master' || n)::uuid as id from generate_series(1, %1$d) n) m;
                insert into account (id, kind, parent_id, root_id, name, name_key, plan_code, status, verified_at,
                    created_at, updated_at)
                select md5('sub' || m || '/' || s)::uuid, 'SUB', md5('master' || m)::uuid, md5('master' || m)::uuid,
                    'Team ' || s, 'team ' || s, 'volume-150k', 'ACTIVE', now(), now(), now()
                from generate_series(1, %1$d) m, generate_series(1, %2$d) s;
                insert into billing_usage (account_id, period_start, sender_id, api_key_id, sent)
                select md5('master' || m)::uuid, date '%3$s', md5('sub' || m || '/' || s)::uuid,
                    '00000000-0000-0000-0000-000000000000'::uuid, 100 + (m * 7 + s * 13) %% 900
                from generate_series(1, %1$d) m, generate_series(1, %2$d) s;
                insert into billing_plan_price (plan_code, period_price_minor, per_thousand_minor, updated_by, updated_at)
                values ('volume-150k', 4900, 150, 'bench', now())
                on conflict (plan_code) do update set period_price_minor = 4900, per_thousand_minor = 150;
                commit;
                """.formatted(masters, subs, period));
        System.out.printf("setup: %,d masters x %d sub-accounts with metered usage in %s, written in %.1f s%n", masters,
                subs, period, (System.nanoTime() - setup) / 1e9);

        HeapWatcher heap = new HeapWatcher();
        heap.start();
        long started = System.nanoTime();
        String answer = Bench.send(base, "POST", "/api/platform/v1/billing/invoices/issue", "Bearer " + token,
                "{\"period\":\"" + period.toString().substring(0, 7) + "\"}", 200);
        double seconds = (System.nanoTime() - started) / 1e9;
        heap.interrupt();
        heap.join();
        long issued = Long.parseLong(Bench.group(answer, "\"issued\":([0-9]+)"));
        System.out.printf("issue:  %,d invoices (%,d lines) in %.1f s = %,.0f invoices/s; server peak heap used %.0f MB%n",
                issued, issued * (subs + 2), seconds, issued / seconds, heap.peak.get() / 1e6);
        String gaps = Bench.psqlOutput(psql, "-Atc \"select count(*) || ' ' || max(seq) from billing_invoice\"").strip();
        String unbalanced = Bench.psqlOutput(psql, "-Atc \"select count(*) from billing_invoice i where subtotal_minor <>"
                + " (select sum(amount_minor) from billing_invoice_line l where l.invoice_id = i.id)"
                + " or total_minor <> subtotal_minor + tax_minor\"").strip();
        System.out.printf("check:  invoices and highest number: %s (equal: no gap); invoices whose lines do not sum: %s%n",
                gaps, unbalanced);
    }

    /** Samples the server's heap use from its Prometheus endpoint every 100 ms. */
    static final class HeapWatcher extends Thread {
        final AtomicLong peak = new AtomicLong();

        @Override
        public void run() {
            Pattern used = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} ([0-9.E+]+)", Pattern.MULTILINE);
            while (!isInterrupted()) {
                try {
                    String metrics = Bench.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                            .header("Authorization", "Bearer " + System.getenv("BENCH_OPERATOR_TOKEN")).build(),
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
}
