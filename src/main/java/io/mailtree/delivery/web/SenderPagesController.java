package io.mailtree.delivery.web;

import io.mailtree.delivery.DomainCheck;
import io.mailtree.delivery.DomainVerification;
import io.mailtree.delivery.Sender;
import io.mailtree.delivery.Senders;
import io.mailtree.delivery.SendingDomain;
import io.mailtree.delivery.SendingDomains;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.Ids;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.mailtree.shared.web.FieldErrors;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Senders and domains: the sender addresses with their state (confirmed, or waiting for the link
 * e-mailed to them, which can be sent again), add and remove; the sending domains with the DNS
 * records to publish (DKIM, SPF include, DMARC advice), add and remove, and what the last DNS check
 * found for each record, checked again on "Check now" (ADR 0021).
 */
@Controller
@RequiresPermission(Permission.ACCOUNT_SETTINGS)
class SenderPagesController {

    private final Senders senders;
    private final SendingDomains domains;
    private final DomainVerification verification;
    private final String spfInclude;

    SenderPagesController(Senders senders, SendingDomains domains, DomainVerification verification,
            @Value("${mailtree.dkim.spf-include:spf.mailtree.localhost}") String spfInclude) {
        this.senders = senders;
        this.domains = domains;
        this.verification = verification;
        this.spfInclude = spfInclude;
    }

    @GetMapping("/senders")
    String list(Caller caller, Model model) {
        prepare(caller, model);
        return "delivery/senders";
    }

    @PostMapping("/senders")
    String add(Caller caller, @RequestParam(defaultValue = "") String email, @RequestParam(defaultValue = "") String name,
            Model model, RedirectAttributes redirect) {
        FieldErrors errors = new FieldErrors();
        errors.check("email", () -> EmailAddresses.normalise(email));
        errors.checkThat("name", () -> Senders.checkName(name));
        if (!errors.any()) {
            try {
                Sender added = senders.add(caller, email, name);
                redirect.addFlashAttribute("notice", "senders.added");
                redirect.addFlashAttribute("noticeArg", added.email());
                return "redirect:/senders";
            } catch (DomainProblem problem) {
                errors.addOr("email", problem);
            }
        }
        model.addAttribute("fieldErrors", errors);
        model.addAttribute("email", email);
        model.addAttribute("name", name);
        prepare(caller, model);
        return "delivery/senders";
    }

    @PostMapping("/senders/{id}/resend")
    String resend(Caller caller, @PathVariable String id, RedirectAttributes redirect) {
        long senderId = senderId(id);
        Sender sender = senders.get(caller.accountId(), senderId);
        try {
            senders.resendConfirmation(caller.accountId(), senderId);
        } catch (DomainProblem limited) {
            redirect.addFlashAttribute("problemCode", limited.code());
            redirect.addFlashAttribute("problemArgs", limited.arguments());
            return "redirect:/senders";
        }
        redirect.addFlashAttribute("notice", sender.isVerified() ? "senders.alreadyConfirmed" : "senders.resent");
        redirect.addFlashAttribute("noticeArg", sender.email());
        return "redirect:/senders";
    }

    @PostMapping("/senders/{id}/remove")
    String remove(Caller caller, @PathVariable String id, RedirectAttributes redirect) {
        long senderId = senderId(id);
        Sender sender = senders.get(caller.accountId(), senderId);
        senders.remove(caller, senderId);
        redirect.addFlashAttribute("notice", "senders.removed");
        redirect.addFlashAttribute("noticeArg", sender.email());
        return "redirect:/senders";
    }

    @PostMapping("/senders/domains")
    String addDomain(Caller caller, @RequestParam(defaultValue = "") String domain, Model model,
            RedirectAttributes redirect) {
        try {
            SendingDomain added = domains.add(caller, domain);
            redirect.addFlashAttribute("notice", "domains.added");
            redirect.addFlashAttribute("noticeArg", added.domain());
            return "redirect:/senders#domain-" + added.id();
        } catch (DomainProblem problem) {
            model.addAttribute("fieldErrors", new FieldErrors().addOr("domain", problem));
            model.addAttribute("domain", domain);
            prepare(caller, model);
            return "delivery/senders";
        }
    }

    @PostMapping("/senders/domains/{id}/remove")
    String removeDomain(Caller caller, @PathVariable String id, RedirectAttributes redirect) {
        long domainId = parse(id, "domain_not_found", "domain");
        SendingDomain domain = domains.get(caller.accountId(), domainId);
        domains.remove(caller, domainId);
        redirect.addFlashAttribute("notice", "domains.removed");
        redirect.addFlashAttribute("noticeArg", domain.domain());
        return "redirect:/senders#domains";
    }

    @PostMapping("/senders/domains/{id}/ed25519")
    String ed25519(Caller caller, @PathVariable String id, @RequestParam(defaultValue = "false") boolean on,
            RedirectAttributes redirect) {
        SendingDomain domain = domains.ed25519(caller, parse(id, "domain_not_found", "domain"), on);
        redirect.addFlashAttribute("notice", on ? "domains.ed25519On" : "domains.ed25519Off");
        redirect.addFlashAttribute("noticeArg", domain.domain());
        return "redirect:/senders#domain-" + domain.id();
    }

    /**
     * Checks the domain's records against the DNS now. An htmx request gets the domain's check
     * block alone, to replace in place; a plain form post returns to the domain on the page.
     */
    @PostMapping("/senders/domains/{id}/check")
    String check(Caller caller, @PathVariable String id, @RequestHeader(name = "HX-Request", required = false) String htmx,
            Model model, RedirectAttributes redirect) {
        long domainId = parse(id, "domain_not_found", "domain");
        List<DomainCheck> checks = verification.checkNow(caller.accountId(), domainId);
        SendingDomain domain = domains.get(caller.accountId(), domainId);
        if (htmx != null) {
            model.addAttribute("v", new DomainView(domain, domain.dnsRecords(spfInclude), checks));
            return "delivery/senders :: dns-check";
        }
        redirect.addFlashAttribute("notice", "domains.checked");
        redirect.addFlashAttribute("noticeArg", domain.domain());
        return "redirect:/senders#domain-" + domain.id();
    }

    private void prepare(Caller caller, Model model) {
        model.addAttribute("senders", senders.of(caller.accountId()));
        model.addAttribute("maxSenders", Senders.MAX_SENDERS);
        Map<Long, List<DomainCheck>> checks = verification.checksOf(caller.accountId());
        model.addAttribute("domains", domains.of(caller.accountId()).stream()
                .map(d -> new DomainView(d, d.dnsRecords(spfInclude), checks.getOrDefault(d.id(), List.of()))).toList());
    }

    /** A sending domain as the page shows it: with the DNS records to publish and what the last check found. */
    record DomainView(SendingDomain domain, List<SendingDomain.DnsRecord> records, List<DomainCheck> checks) {

        /** When the records were last looked up; null when never. */
        public java.time.Instant checkedAt() {
            return checks.isEmpty() ? null : checks.get(0).checkedAt();
        }
    }

    private static long senderId(String id) {
        return parse(id, "sender_not_found", "sender");
    }

    /** Ids taken from paths and forms, spaces around them forgiven: anything that is not one answers 404, never 500. */
    private static long parse(String text, String code, String what) {
        return Ids.positive(text == null ? null : text.strip(), code, what);
    }
}
