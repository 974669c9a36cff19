package io.mailtree.billing.web;

import io.mailtree.accounts.AccountTree;
import io.mailtree.billing.Credits;
import io.mailtree.billing.Invoice;
import io.mailtree.billing.InvoiceDocuments;
import io.mailtree.billing.Invoices;
import io.mailtree.billing.Subscriptions;
import io.mailtree.billing.Usage;
import io.mailtree.billing.UsageAlerts;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.MastersOnly;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * "Account billing" (permission {@code BILLING}, D-23): the subscription with its renewal and a
 * waiting downgrade, the credits used this period with a bar per account, the master's caps on its
 * sub-accounts, the plan change, and the invoices (HTML, PDF, CSV). A sub-account sees that it uses
 * its master's subscription (D-4) and its own usage; a collaborator without BILLING neither sees the
 * link nor reaches the page.
 */
@Controller
@RequiresPermission(Permission.BILLING)
class BillingPagesController {

    private final Usage usage;
    private final Subscriptions subscriptions;
    private final Credits credits;
    private final Invoices invoices;
    private final InvoiceDocuments documents;
    private final UsageAlerts alerts;
    private final AccountTree accounts;

    BillingPagesController(Usage usage, Subscriptions subscriptions, Credits credits, Invoices invoices,
            InvoiceDocuments documents, UsageAlerts alerts, AccountTree accounts) {
        this.usage = usage;
        this.subscriptions = subscriptions;
        this.credits = credits;
        this.invoices = invoices;
        this.documents = documents;
        this.alerts = alerts;
        this.accounts = accounts;
    }

    @GetMapping("/account/billing")
    String billing(Caller caller, Model model) {
        Usage.Report report = usage.report(caller);
        model.addAttribute("report", report);
        model.addAttribute("plan", report.subscription().plan());
        model.addAttribute("master", accounts.require(report.subscription().master()));
        model.addAttribute("account", accounts.require(caller.accountId()));
        model.addAttribute("chart", UsageChart.of(report.lines()));
        if (caller.master()) {
            model.addAttribute("plans", accounts.plans());
            model.addAttribute("invoices", invoices.list(caller));
            model.addAttribute("alerts", alerts.ofTree(caller.accountId(), 10));
        }
        return "billing/billing";
    }

    @PostMapping("/account/billing/plan")
    String changePlan(Caller caller, @RequestParam(required = false) String plan, RedirectAttributes redirect) {
        return act(redirect, () -> {
            Subscriptions.Subscription changed = subscriptions.change(caller, plan);
            redirect.addFlashAttribute("notice", changed.pendingPlan() != null ? "billing.downgradeScheduled"
                    : "billing.planChanged");
            redirect.addFlashAttribute("noticeArg", changed.pendingPlan() != null ? changed.pendingPlan().name()
                    : changed.plan().name());
        });
    }

    @PostMapping("/account/billing/caps/{id}")
    String setCap(Caller caller, @PathVariable String id, @RequestParam(required = false) String monthlyCap,
            RedirectAttributes redirect) {
        AccountId sub = AccountId.parse(id).orElseThrow(() -> DomainProblem.notFound("subaccount_not_found", "sub-account"));
        return act(redirect, () -> {
            Long cap = parseCap(monthlyCap);
            credits.setCap(caller, sub, cap);
            redirect.addFlashAttribute("notice", "billing.capSaved");
            redirect.addFlashAttribute("noticeArg", accounts.require(sub).name());
        });
    }

    static Long parseCap(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(text.strip().replace(",", "").replace(" ", ""));
        } catch (NumberFormatException notANumber) {
            throw DomainProblem.invalid("invalid_cap", "a monthly cap is 0 to 1,000,000,000 e-mails", 1_000_000_000)
                    .with("field", "monthlyCap");
        }
    }

    @GetMapping("/account/billing/invoices/{id}")
    String invoice(Caller caller, @PathVariable long id, Model model) {
        Invoice invoice = invoices.get(caller, id);
        model.addAttribute("invoice", invoice);
        return "billing/invoice";
    }

    @GetMapping("/account/billing/invoices/{id}/pdf")
    ResponseEntity<byte[]> pdf(Caller caller, @PathVariable long id, Locale locale) {
        Invoice invoice = invoices.get(caller, id);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_PDF)
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename(invoice.number() + ".pdf").build().toString())
                .body(documents.pdf(invoice, locale));
    }

    @GetMapping("/account/billing/invoices/{id}/csv")
    ResponseEntity<byte[]> csv(Caller caller, @PathVariable long id) {
        Invoice invoice = invoices.get(caller, id);
        return ResponseEntity.ok().contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename(invoice.number() + ".csv").build().toString())
                .body(documents.csv(invoice).getBytes(StandardCharsets.UTF_8));
    }

    /** A refused input is told on the page and changes nothing; what is out of reach renders the error page. */
    private static String act(RedirectAttributes redirect, Runnable act) {
        try {
            act.run();
        } catch (DomainProblem problem) {
            if (problem.status() == 404 || problem instanceof MastersOnly) {
                throw problem;
            }
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
        }
        return "redirect:/account/billing";
    }
}
