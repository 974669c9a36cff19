package io.mailtree.delivery.api;

import io.mailtree.delivery.DomainCheck;
import io.mailtree.delivery.DomainVerification;
import io.mailtree.delivery.Sender;
import io.mailtree.delivery.Senders;
import io.mailtree.delivery.SendingDomain;
import io.mailtree.delivery.SendingDomains;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Ids;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/senders} and {@code /api/v1/domains}: who the account sends as. */
@RestController
@RequiresPermission(Permission.ACCOUNT_SETTINGS)
@Tag(name = "Senders and domains")
class SendersApi {

    private final Senders senders;
    private final SendingDomains domains;
    private final DomainVerification verification;
    private final String spfInclude;

    SendersApi(Senders senders, SendingDomains domains, DomainVerification verification,
            @Value("${mailtree.dkim.spf-include:spf.mailtree.localhost}") String spfInclude) {
        this.senders = senders;
        this.domains = domains;
        this.verification = verification;
        this.spfInclude = spfInclude;
    }

    @GetMapping("/api/v1/senders")
    Map<String, List<Sender>> senders(Caller caller) {
        return Map.of("items", senders.of(caller.accountId()));
    }

    @PostMapping("/api/v1/senders")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Add a sender address", description = "A confirmation link is e-mailed to it; until it is "
            + "followed, mail from the address is refused.")
    Sender addSender(Caller caller, @RequestBody SenderRequest request) {
        return senders.add(caller, request.email(), request.name());
    }

    @PostMapping("/api/v1/senders/{id}/resend")
    @ResponseStatus(HttpStatus.ACCEPTED)
    void resend(Caller caller, @PathVariable String id) {
        senders.resendConfirmation(caller.accountId(), Ids.positive(id, "sender_not_found", "sender"));
    }

    @DeleteMapping("/api/v1/senders/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void removeSender(Caller caller, @PathVariable String id) {
        senders.remove(caller, Ids.positive(id, "sender_not_found", "sender"));
    }

    @GetMapping("/api/v1/domains")
    Map<String, List<DomainJson>> domains(Caller caller) {
        Map<Long, List<DomainCheck>> checks = verification.checksOf(caller.accountId());
        return Map.of("items", domains.of(caller.accountId()).stream()
                .map(d -> json(d, checks.getOrDefault(d.id(), List.of()))).toList());
    }

    @PostMapping("/api/v1/domains")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Register a sending domain", description = "Generates its RSA-2048 DKIM key pair and answers "
            + "the DNS records to publish (DKIM, SPF include, DMARC advice).")
    DomainJson addDomain(Caller caller, @RequestBody DomainRequest request) {
        return json(domains.add(caller, request.domain()), List.of());
    }

    @GetMapping("/api/v1/domains/{id}")
    DomainJson domain(Caller caller, @PathVariable String id) {
        long domainId = Ids.positive(id, "domain_not_found", "domain");
        return json(domains.get(caller.accountId(), domainId), verification.checks(caller.accountId(), domainId));
    }

    @PatchMapping("/api/v1/domains/{id}")
    @Operation(summary = "Change a sending domain", description = "ed25519: true adds a second DKIM signature with "
            + "Ed25519 (RFC 8463) and answers its record to publish at mt2._domainkey; false removes it.")
    DomainJson changeDomain(Caller caller, @PathVariable String id, @RequestBody DomainPatch patch) {
        long domainId = Ids.positive(id, "domain_not_found", "domain");
        if (patch == null || patch.ed25519() == null) {
            throw DomainProblem.invalid("nothing_to_change", "send ed25519: true or false").with("field", "ed25519");
        }
        return json(domains.ed25519(caller, domainId, patch.ed25519()),
                verification.checks(caller.accountId(), domainId));
    }

    @PostMapping("/api/v1/domains/{id}/check")
    @Operation(summary = "Check a sending domain's DNS records now", description = "Looks up each record (DKIM, SPF "
            + "include, DMARC, and the bounce domain's MX as RETURN-PATH) and answers the domain with dnsChecks: "
            + "VERIFIED, MISSING, WRONG (with what was found) or FAILED (the lookup got no answer). Domains are also "
            + "re-checked periodically.")
    DomainJson checkDomain(Caller caller, @PathVariable String id) {
        long domainId = Ids.positive(id, "domain_not_found", "domain");
        List<DomainCheck> checks = verification.checkNow(caller.accountId(), domainId);
        return json(domains.get(caller.accountId(), domainId), checks);
    }

    @DeleteMapping("/api/v1/domains/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void removeDomain(Caller caller, @PathVariable String id) {
        domains.remove(caller, Ids.positive(id, "domain_not_found", "domain"));
    }

    /** A domain with the records to publish and what its last DNS check found (empty: never checked). */
    private DomainJson json(SendingDomain domain, List<DomainCheck> checks) {
        return new DomainJson(domain.id(), domain.domain(), domain.selector(), domain.ed25519(),
                domain.dnsRecords(spfInclude), checks, domain.createdAt());
    }

    @Schema(name = "SenderRequest")
    record SenderRequest(String email, String name) {
    }

    @Schema(name = "DomainRequest")
    record DomainRequest(String domain) {
    }

    @Schema(name = "DomainPatch")
    record DomainPatch(Boolean ed25519) {
    }

    @Schema(name = "SendingDomain")
    record DomainJson(long id, String domain, String selector, boolean ed25519,
            List<SendingDomain.DnsRecord> dnsRecords, List<DomainCheck> dnsChecks, java.time.Instant createdAt) {
    }
}
