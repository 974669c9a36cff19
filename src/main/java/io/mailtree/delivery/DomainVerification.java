package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import io.mailtree.shared.PeriodicTask;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Checks a sending domain's records against the DNS (ADR 0021): each DKIM key at its selector, the
 * SPF record's include of Mailtree's servers, a DMARC policy, and that the bounce domain named in
 * the return path of the domain's mail receives mail. "Check now" runs it on one domain; a periodic
 * re-check runs it on every domain whose last check is older than {@code mailtree.dns.recheck-interval},
 * so a record removed after it was verified flips to missing. The lookups run outside any
 * transaction; only the writing of a domain's results is one.
 */
@Service
public class DomainVerification implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DomainVerification.class);
    private static final int FOUND_CHARS = 2000;

    /** The records a customer publishes: the domain is set up once these are verified. */
    private static final List<String> CUSTOMER_RECORDS = List.of("DKIM", "DKIM-ED25519", "SPF", "DMARC");

    private final JdbcClient jdbc;
    private final SendingDomains domains;
    private final DnsLookups dns;
    private final DnsSettings settings;
    private final Clock clock;
    private final TransactionTemplate transaction;
    private final String spfInclude;
    private final String bounceDomain;
    private final PeriodicTask task = new PeriodicTask("mailtree-dns-recheck", log);

    DomainVerification(JdbcClient jdbc, SendingDomains domains, DnsLookups dns, DnsSettings settings, Clock clock,
            TransactionTemplate transaction, BounceDomain bounceDomain,
            @Value("${mailtree.dkim.spf-include:spf.mailtree.localhost}") String spfInclude) {
        this.jdbc = jdbc;
        this.domains = domains;
        this.dns = dns;
        this.settings = settings;
        this.clock = clock;
        this.transaction = transaction;
        this.spfInclude = spfInclude.strip().toLowerCase(Locale.ROOT);
        this.bounceDomain = bounceDomain.name();
    }

    /** Checks the account's domain now and keeps what was found; 404 for a domain the account does not have. */
    public List<DomainCheck> checkNow(AccountId account, long domainId) {
        SendingDomain domain = domains.get(account, domainId);
        List<DomainCheck> found = lookUp(domain);
        save(account.value(), domain.id(), found);
        return checks(account, domainId);
    }

    /** What the last check of the account's domain found, in the order of the records to publish (empty: never checked). */
    public List<DomainCheck> checks(AccountId account, long domainId) {
        return checksOf(account).getOrDefault(domainId, List.of());
    }

    /** The last checks of each of the account's domains that was checked, by domain id, in one query. */
    public Map<Long, List<DomainCheck>> checksOf(AccountId account) {
        Map<Long, List<DomainCheck>> byDomain = new LinkedHashMap<>();
        jdbc.sql("""
                select c.* from sending_domain_check c join sending_domain d on d.id = c.domain_id
                where d.account_id = ? order by c.domain_id""").param(account.value())
                .query((rs, n) -> Map.entry(rs.getLong("domain_id"), new DomainCheck(rs.getString("purpose"),
                        DomainCheck.Status.valueOf(rs.getString("status")), rs.getString("name"),
                        rs.getString("expected"), rs.getString("found"), Times.instant(rs, "checked_at"))))
                .list().forEach(e -> byDomain.computeIfAbsent(e.getKey(), id -> new ArrayList<>()).add(e.getValue()));
        byDomain.replaceAll((id, checks) -> checks.stream()
                .sorted(java.util.Comparator.comparingInt(c -> order(c.purpose()))).toList());
        return byDomain;
    }

    /** Whether one of the account's domains has every record its owner publishes verified at its last check. */
    public boolean hasVerifiedDomain(AccountId account) {
        for (List<DomainCheck> checks : checksOf(account).values()) {
            List<DomainCheck> customer = checks.stream().filter(c -> CUSTOMER_RECORDS.contains(c.purpose())).toList();
            if (!customer.isEmpty() && customer.stream().allMatch(DomainCheck::verified)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Re-checks up to {@code recheck-batch} domains never checked or last checked longer than
     * {@code recheck-interval} ago, the oldest first; answers how many it checked.
     */
    public int recheckDue() {
        Instant dueBefore = clock.instant().minus(settings.recheckInterval());
        List<Map.Entry<UUID, Long>> due = jdbc.sql("""
                select account_id, id from sending_domain
                where dns_checked_at is null or dns_checked_at < ?
                order by dns_checked_at nulls first, id
                limit ?""").params(Times.sql(dueBefore), settings.recheckBatch())
                .query((rs, n) -> Map.entry(rs.getObject("account_id", UUID.class), rs.getLong("id"))).list();
        int checked = 0;
        for (Map.Entry<UUID, Long> domain : due) {
            try {
                checkNow(new AccountId(domain.getKey()), domain.getValue());
                checked++;
            } catch (io.mailtree.shared.DomainProblem removedMeanwhile) {
                // The domain was removed between the query and its check: nothing to re-check.
            }
        }
        return checked;
    }

    List<DomainCheck> lookUp(SendingDomain domain) {
        Instant now = clock.instant();
        List<DomainCheck> checks = new ArrayList<>();
        for (SendingDomain.DnsRecord record : domain.dnsRecords(spfInclude)) {
            checks.add(switch (record.purpose()) {
                case "DKIM" -> dkim(record, domain.publicKey(), now);
                case "DKIM-ED25519" -> dkim(record, domain.ed25519PublicKey(), now);
                case "SPF" -> spf(record, now);
                case "DMARC" -> dmarc(record, now);
                default -> throw new IllegalStateException("no check for " + record.purpose());
            });
        }
        checks.add(returnPath(now));
        return checks;
    }

    private DomainCheck dkim(SendingDomain.DnsRecord record, String publicKey, Instant now) {
        String expected = "p=" + publicKey;
        return judge(record.purpose(), record.name(), expected, now, () -> {
            List<String> keys = dns.txt(record.name()).stream().filter(t -> tag(t, "p") != null || startsWith(t, "v=DKIM1"))
                    .toList();
            if (keys.isEmpty()) {
                return result(DomainCheck.Status.MISSING, null);
            }
            for (String key : keys) {
                String published = tag(key, "p");
                if (published != null && published.replaceAll("\\s", "").equals(publicKey)) {
                    return result(DomainCheck.Status.VERIFIED, key);
                }
            }
            return result(DomainCheck.Status.WRONG, String.join(" | ", keys));
        });
    }

    private DomainCheck spf(SendingDomain.DnsRecord record, Instant now) {
        String expected = "include:" + spfInclude;
        return judge(record.purpose(), record.name(), expected, now, () -> {
            List<String> spf = dns.txt(record.name()).stream().filter(t -> isSpf(t)).toList();
            if (spf.isEmpty()) {
                return result(DomainCheck.Status.MISSING, null);
            }
            String found = String.join(" | ", spf);
            // RFC 7208 §4.5: more than one SPF record is a permanent error; receivers then trust none.
            if (spf.size() > 1) {
                return result(DomainCheck.Status.WRONG, found);
            }
            for (String term : spf.get(0).toLowerCase(Locale.ROOT).split("\\s+")) {
                String mechanism = term.startsWith("+") ? term.substring(1) : term;
                if (mechanism.equals(expected)) {
                    return result(DomainCheck.Status.VERIFIED, found);
                }
            }
            return result(DomainCheck.Status.WRONG, found);
        });
    }

    private DomainCheck dmarc(SendingDomain.DnsRecord record, Instant now) {
        String expected = "v=DMARC1; p=none|quarantine|reject";
        return judge(record.purpose(), record.name(), expected, now, () -> {
            List<String> dmarc = dns.txt(record.name()).stream().filter(t -> startsWith(t, "v=DMARC1")).toList();
            if (dmarc.isEmpty()) {
                return result(DomainCheck.Status.MISSING, null);
            }
            String found = String.join(" | ", dmarc);
            String policy = dmarc.size() == 1 ? tag(dmarc.get(0), "p") : null;
            boolean known = policy != null && List.of("none", "quarantine", "reject").contains(policy.toLowerCase(Locale.ROOT));
            return result(known ? DomainCheck.Status.VERIFIED : DomainCheck.Status.WRONG, found);
        });
    }

    private DomainCheck returnPath(Instant now) {
        return judge(DomainCheck.RETURN_PATH, bounceDomain, "MX", now, () -> {
            List<DnsLookups.Mx> mx = dns.mx(bounceDomain);
            if (mx.isEmpty()) {
                return result(DomainCheck.Status.MISSING, null);
            }
            String found = String.join(" | ", mx.stream().map(DnsLookups.Mx::toString).toList());
            return result(mx.stream().allMatch(DnsLookups.Mx::isNull) ? DomainCheck.Status.WRONG : DomainCheck.Status.VERIFIED,
                    found);
        });
    }

    private record Result(DomainCheck.Status status, String found) {
    }

    private static Result result(DomainCheck.Status status, String found) {
        return new Result(status, found);
    }

    private static DomainCheck judge(String purpose, String name, String expected, Instant now,
            java.util.function.Supplier<Result> lookup) {
        Result result;
        try {
            result = lookup.get();
        } catch (DnsLookups.LookupFailed failed) {
            result = new Result(DomainCheck.Status.FAILED, failed.getMessage());
        }
        String found = result.found() == null || result.found().length() <= FOUND_CHARS ? result.found()
                : result.found().substring(0, FOUND_CHARS - 1) + "…";
        return new DomainCheck(purpose, result.status(), name, expected, found, now);
    }

    private void save(UUID account, long domainId, List<DomainCheck> checks) {
        transaction.executeWithoutResult(status -> {
            int updated = jdbc.sql("update sending_domain set dns_checked_at = ? where account_id = ? and id = ?")
                    .params(Times.sql(checks.get(0).checkedAt()), account, domainId).update();
            if (updated == 0) {
                return; // removed while its records were looked up
            }
            jdbc.sql("delete from sending_domain_check where domain_id = ?").param(domainId).update();
            for (DomainCheck check : checks) {
                jdbc.sql("""
                        insert into sending_domain_check (domain_id, purpose, status, name, expected, found, checked_at)
                        values (?, ?, ?, ?, ?, ?, ?)""")
                        .params(domainId, check.purpose(), check.status().name(), check.name(), check.expected(),
                                check.found(), Times.sql(check.checkedAt()))
                        .update();
            }
        });
    }

    private static int order(String purpose) {
        int index = List.of("DKIM", "DKIM-ED25519", "SPF", "DMARC", DomainCheck.RETURN_PATH).indexOf(purpose);
        return index < 0 ? Integer.MAX_VALUE : index;
    }

    private static boolean isSpf(String text) {
        String lower = text.strip().toLowerCase(Locale.ROOT);
        return lower.equals("v=spf1") || lower.startsWith("v=spf1 ");
    }

    private static boolean startsWith(String text, String prefix) {
        return text.strip().regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /** The value of tag {@code name} in a {@code tag=value; tag=value} record (DKIM, DMARC), or null. */
    static String tag(String record, String name) {
        for (String part : record.split(";")) {
            int equals = part.indexOf('=');
            if (equals > 0 && part.substring(0, equals).strip().equalsIgnoreCase(name)) {
                return part.substring(equals + 1).strip();
            }
        }
        return null;
    }

    @Override
    public void start() {
        task.start(settings.recheckPoll(), this::recheckDue);
    }

    @Override
    public void stop() {
        task.stop();
    }

    @Override
    public boolean isRunning() {
        return task.isRunning();
    }
}
