package io.mailtree.campaigns;

import io.mailtree.delivery.BounceDomain;
import io.mailtree.delivery.DnsSettings;
import io.mailtree.delivery.DomainCheck;
import io.mailtree.delivery.DomainVerification;
import io.mailtree.delivery.SendingDomain;
import io.mailtree.delivery.SendingDomains;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * What mailbox providers require of bulk senders, checked before a campaign is sent or scheduled
 * (ADR 0032): the From domain is one of the account's sending domains, its DKIM key, SPF include and
 * DMARC policy were verified at the last DNS check (ADR 0021), and DMARC can pass, i.e. the DKIM
 * signature's d= or the return path's domain is aligned with the From domain (relaxed alignment).
 *
 * <p>Delivery signs with the key of the sending domain whose name is exactly the From domain
 * ({@code DkimSigning}), so d= is the From domain whenever that domain is registered; the return path
 * is always {@code bounces+token@<bounce domain>}, Mailtree's own, which aligns only where the From
 * domain shares the bounce domain's organisational domain. A From domain that is not registered is
 * sent unsigned and so can align only through the return path.
 *
 * <p>The organisational domain is taken as the last two labels (no public suffix list here): for a
 * From domain under a two-label public suffix ({@code example.co.uk}) this is looser than DMARC, which
 * matters only for the return-path leg, never for DKIM, whose d= is the From domain itself.
 */
@Component
class SenderRequirements {

    /** The stable code of a refusal; the problem's {@code requirements} names each one that failed. */
    static final String CODE = "sender_not_aligned";

    /** Requirement ids, as the problem's {@code requirements} lists them. */
    static final String DOMAIN_NOT_REGISTERED = "domain_not_registered";
    static final String DKIM_NOT_VERIFIED = "dkim_not_verified";
    static final String SPF_MISSING = "spf_missing";
    static final String DMARC_MISSING = "dmarc_missing";
    static final String NOT_ALIGNED = "not_aligned";

    private final SendingDomains domains;
    private final DomainVerification verification;
    private final DnsSettings dns;
    private final String bounceDomain;
    private final Clock clock;

    SenderRequirements(SendingDomains domains, DomainVerification verification, DnsSettings dns,
            BounceDomain bounceDomain, Clock clock) {
        this.domains = domains;
        this.verification = verification;
        this.dns = dns;
        this.bounceDomain = bounceDomain.name();
        this.clock = clock;
    }

    /**
     * Checks the From domain against the DNS now when it was never checked or its last check is older
     * than the periodic re-check's interval, so a record published a minute ago counts. Makes DNS
     * lookups: call it outside any transaction.
     */
    void refreshIfStale(AccountId account, String fromEmail) {
        registered(account, fromEmail).ifPresent(domain -> {
            List<DomainCheck> checks = verification.checks(account, domain.id());
            Instant dueBefore = clock.instant().minus(dns.recheckInterval());
            if (checks.isEmpty() || checks.stream().anyMatch(c -> c.checkedAt().isBefore(dueBefore))) {
                try {
                    verification.checkNow(account, domain.id());
                } catch (DomainProblem removedMeanwhile) {
                    // judged as not registered by check()
                }
            }
        });
    }

    /** Refuses with {@link #CODE} unless every requirement holds, from the stored verification results. */
    void check(AccountId account, String fromEmail) {
        String fromDomain = domainOf(fromEmail);
        List<String> failed = new ArrayList<>();
        Optional<SendingDomain> domain = registered(account, fromEmail);
        boolean dkimVerified = false;
        if (domain.isEmpty()) {
            failed.add(DOMAIN_NOT_REGISTERED);
            failed.add(DKIM_NOT_VERIFIED);
            failed.add(SPF_MISSING);
            failed.add(DMARC_MISSING);
        } else {
            Map<String, DomainCheck.Status> checks = verification.checks(account, domain.get().id()).stream()
                    .collect(Collectors.toMap(DomainCheck::purpose, DomainCheck::status, (a, b) -> a));
            dkimVerified = checks.get("DKIM") == DomainCheck.Status.VERIFIED;
            if (!dkimVerified) {
                failed.add(DKIM_NOT_VERIFIED);
            }
            if (checks.get("SPF") != DomainCheck.Status.VERIFIED) {
                failed.add(SPF_MISSING);
            }
            if (checks.get("DMARC") != DomainCheck.Status.VERIFIED) {
                failed.add(DMARC_MISSING);
            }
        }
        // d= is the registered domain's name, which is the From domain (see the class comment).
        boolean dkimAligned = dkimVerified && aligned(domain.get().domain(), fromDomain);
        boolean returnPathAligned = aligned(bounceDomain, fromDomain);
        if (!dkimAligned && !returnPathAligned) {
            failed.add(NOT_ALIGNED);
        }
        if (!failed.isEmpty()) {
            throw DomainProblem.conflict(CODE, "bulk mail must be authenticated and aligned with its From domain: "
                    + String.join(", ", failed), fromDomain, records(failed))
                    .with("requirements", List.copyOf(failed)).with("domain", fromDomain).with("field", "emailId");
        }
    }

    /** The DNS records to fix, as the page message names them (the same in every language). */
    private static String records(List<String> failed) {
        List<String> records = new ArrayList<>();
        if (failed.contains(DKIM_NOT_VERIFIED)) {
            records.add("DKIM");
        }
        if (failed.contains(SPF_MISSING)) {
            records.add("SPF");
        }
        if (failed.contains(DMARC_MISSING)) {
            records.add("DMARC");
        }
        return records.isEmpty() ? "DKIM" : String.join(", ", records);
    }

    private Optional<SendingDomain> registered(AccountId account, String fromEmail) {
        String fromDomain = domainOf(fromEmail);
        return domains.of(account).stream().filter(d -> d.domain().equalsIgnoreCase(fromDomain)).findFirst();
    }

    /** DMARC relaxed alignment: both names have the same organisational domain. */
    static boolean aligned(String authenticated, String from) {
        return !from.isEmpty() && organisational(authenticated).equals(organisational(from));
    }

    static String organisational(String domain) {
        String[] labels = domain.toLowerCase(Locale.ROOT).replaceAll("\\.$", "").split("\\.");
        return labels.length <= 2 ? String.join(".", labels)
                : labels[labels.length - 2] + "." + labels[labels.length - 1];
    }

    private static String domainOf(String email) {
        int at = email == null ? -1 : email.lastIndexOf('@');
        return at < 0 ? "" : email.substring(at + 1).strip().toLowerCase(Locale.ROOT);
    }
}
