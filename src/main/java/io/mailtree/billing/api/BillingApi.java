package io.mailtree.billing.api;

import io.mailtree.billing.Credits;
import io.mailtree.billing.Invoice;
import io.mailtree.billing.InvoiceDocuments;
import io.mailtree.billing.Invoices;
import io.mailtree.billing.Subscriptions;
import io.mailtree.billing.Usage;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Billing over the API (permission {@code BILLING}): the usage of the period as it happens (a master
 * sees every account of its tree, a sub-account its own line), the master's invoices as JSON, PDF
 * or CSV, its plan change and its caps. An invoice of another tree answers 404 {@code invoice_not_found};
 * a sub-account asking for invoices, a plan change or a cap answers 403 {@code masters_only}.
 */
@RestController
@Tag(name = "Billing")
@RequiresPermission(Permission.BILLING)
class BillingApi {

    private final Usage usage;
    private final Invoices invoices;
    private final InvoiceDocuments documents;
    private final Subscriptions subscriptions;
    private final Credits credits;

    BillingApi(Usage usage, Invoices invoices, InvoiceDocuments documents, Subscriptions subscriptions,
            Credits credits) {
        this.usage = usage;
        this.invoices = invoices;
        this.documents = documents;
        this.subscriptions = subscriptions;
        this.credits = credits;
    }

    @GetMapping("/api/v1/billing/usage")
    @Operation(summary = "This period's credits and usage, by account", description = """
            The subscription (plan, period, renewal date, a waiting downgrade), the credits of the tree (limit, used,
            left; no limit is null) and a line per account: messages accepted this period (what the credits reserve),
            messages the relay took (what the invoice bills) and the monthly cap its master set.""")
    Map<String, Object> usage(Caller caller) {
        Usage.Report report = usage.report(caller);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("subscription", subscription(report.subscription()));
        Credits.Status c = report.credits();
        Map<String, Object> creditsJson = new LinkedHashMap<>();
        creditsJson.put("period", c.period().key());
        creditsJson.put("prepaid", c.prepaid());
        creditsJson.put("limit", c.limit());
        creditsJson.put("used", c.used());
        creditsJson.put("left", c.left());
        json.put("credits", creditsJson);
        json.put("accounts", report.lines().stream().map(l -> {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("accountId", l.account().toString());
            line.put("name", l.name());
            line.put("master", l.master());
            line.put("accepted", l.accepted());
            line.put("sent", l.sent());
            line.put("monthlyCap", l.cap());
            return line;
        }).toList());
        return json;
    }

    static Map<String, Object> subscription(Subscriptions.Subscription s) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("masterId", s.master().toString());
        json.put("plan", s.plan().code());
        json.put("kind", s.plan().kind().name());
        json.put("period", s.period().key());
        json.put("renewsOn", s.renewsOn().toString());
        json.put("pendingPlan", s.pendingPlan() == null ? null : s.pendingPlan().code());
        json.put("pendingFrom", s.pendingFrom() == null ? null : s.pendingFrom().toString());
        return json;
    }

    /** The plan to move to. */
    record PlanChange(String plan) {
    }

    @PostMapping("/api/v1/billing/subscription")
    @Operation(summary = "Change the plan", description = """
            An upgrade starts now; a downgrade waits for the renewal (pendingPlan); the current plan cancels a waiting
            downgrade. Refused with 409 plan_does_not_fit and the numbers when the tree's contacts, allocations or
            sub-accounts do not fit the plan.""")
    Map<String, Object> changePlan(Caller caller, @RequestBody PlanChange change) {
        if (change == null || change.plan() == null || change.plan().isBlank()) {
            throw DomainProblem.invalid("missing_plan", "plan is required").with("field", "plan");
        }
        return subscription(subscriptions.change(caller, change.plan()));
    }

    /** A monthly cap; null removes it. */
    record Cap(Long monthlyCap) {
    }

    @PutMapping("/api/v1/billing/caps/{accountId}")
    @Operation(summary = "Cap a sub-account's monthly share of the credits", description = """
            A sub-account that would pass its cap is refused with 402 credits_exhausted (scope CAP). A sub-account of
            another master answers 404.""")
    Map<String, Object> cap(Caller caller, @PathVariable String accountId, @RequestBody Cap cap) {
        AccountId sub = AccountId.parse(accountId)
                .orElseThrow(() -> DomainProblem.notFound("subaccount_not_found", "sub-account"));
        Long set = credits.setCap(caller, sub, cap == null ? null : cap.monthlyCap());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("accountId", sub.toString());
        json.put("monthlyCap", set);
        return json;
    }

    @GetMapping("/api/v1/billing/invoices")
    @Operation(summary = "The master's invoices and credit notes, newest first")
    Map<String, Object> invoices(Caller caller) {
        List<Map<String, Object>> items = invoices.list(caller).stream().map(BillingApi::summary).toList();
        return Map.of("items", items);
    }

    static Map<String, Object> summary(Invoices.Summary i) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", i.id());
        json.put("number", i.number());
        json.put("kind", i.kind().name());
        json.put("masterId", i.master().toString());
        json.put("masterName", i.masterName());
        json.put("period", i.period().key());
        json.put("currency", i.currency());
        json.put("total", Invoice.major(i.totalMinor()));
        json.put("issuedAt", i.issuedAt().toString());
        return json;
    }

    @GetMapping("/api/v1/billing/invoices/{id}")
    @Operation(summary = "One invoice with its lines and totals")
    Map<String, Object> invoice(Caller caller, @PathVariable long id) {
        return json(invoices.get(caller, id));
    }

    @GetMapping("/api/v1/billing/invoices/{id}/pdf")
    @Operation(summary = "One invoice as PDF")
    ResponseEntity<byte[]> pdf(Caller caller, @PathVariable long id, Locale locale) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_PDF)
                .body(documents.pdf(invoices.get(caller, id), locale));
    }

    @GetMapping("/api/v1/billing/invoices/{id}/csv")
    @Operation(summary = "One invoice as CSV")
    ResponseEntity<byte[]> csv(Caller caller, @PathVariable long id) {
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .body(documents.csv(invoices.get(caller, id)).getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, Object> json(Invoice invoice) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", invoice.id());
        json.put("number", invoice.number());
        json.put("kind", invoice.kind().name());
        json.put("corrects", invoice.correctsId());
        json.put("masterId", invoice.master().toString());
        json.put("masterName", invoice.masterName());
        json.put("period", invoice.period().key());
        json.put("plan", invoice.planCode());
        json.put("currency", invoice.currency());
        json.put("lines", invoice.lines().stream().map(l -> {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("line", l.lineNo());
            line.put("accountId", l.account() == null ? null : l.account().toString());
            line.put("description", l.description());
            line.put("emailsSent", l.emailsSent());
            line.put("contactsAllowance", l.contactsAllowance());
            line.put("amount", Invoice.major(l.amountMinor()));
            return line;
        }).toList());
        json.put("subtotal", Invoice.major(invoice.subtotalMinor()));
        json.put("taxRate", invoice.taxRate());
        json.put("tax", Invoice.major(invoice.taxMinor()));
        json.put("total", Invoice.major(invoice.totalMinor()));
        json.put("reason", invoice.reason());
        json.put("issuedAt", invoice.issuedAt().toString());
        return json;
    }
}
