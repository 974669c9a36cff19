package io.mailtree.billing.api;

import io.mailtree.billing.BillingPeriod;
import io.mailtree.billing.Credits;
import io.mailtree.billing.Invoices;
import io.mailtree.billing.PlanPrices;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operator's billing, on the provisioning API ({@code Authorization: Bearer <MAILTREE_OPERATOR_TOKEN>}):
 * prepaid credits top-ups, the plans' prices, issuing a period's invoices, credit notes, and the
 * invoices of every master. Top-ups and invoices are in the master's audit log.
 */
@RestController
@RequestMapping("/api/platform/v1/billing")
@Tag(name = "Billing (operators)")
class BillingOperatorApi {

    static final String ACTOR = "operator-token";

    private final Credits credits;
    private final PlanPrices prices;
    private final Invoices invoices;
    private final Clock clock;

    BillingOperatorApi(Credits credits, PlanPrices prices, Invoices invoices, Clock clock) {
        this.credits = credits;
        this.prices = prices;
        this.invoices = invoices;
        this.clock = clock;
    }

    record TopUp(Long credits) {
    }

    @PostMapping("/masters/{id}/top-ups")
    @Operation(summary = "Add prepaid credits to a pay-per-send master")
    Map<String, Object> topUp(@PathVariable String id, @RequestBody TopUp topUp, HttpServletRequest http) {
        AccountId master = AccountId.parse(id).orElseThrow(() -> DomainProblem.notFound("master_not_found", "master"));
        if (topUp == null || topUp.credits() == null) {
            throw DomainProblem.invalid("invalid_credits", "credits is required", 100_000_000).with("field", "credits");
        }
        Credits.Status status = credits.topUp(master, topUp.credits(), ACTOR, http.getRemoteAddr());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("masterId", master.toString());
        json.put("limit", status.limit());
        json.put("used", status.used());
        json.put("left", status.left());
        return json;
    }

    @GetMapping("/plan-prices")
    Map<String, Object> planPrices() {
        return Map.of("items", prices.all().stream().map(p -> price(p.price(), p.monthlyAllowance())).toList());
    }

    record PriceChange(Long periodPriceMinor, Long perThousandMinor, Long monthlyEmails) {
    }

    @PutMapping("/plan-prices/{code}")
    @Operation(summary = "Set a plan's prices", description = """
            periodPriceMinor: the subscription's fee per period; perThousandMinor: the price of 1,000 e-mails sent;
            both in minor units of the installation's currency. monthlyEmails overrides the catalog's monthly e-mails
            (null keeps the catalog's).""")
    Map<String, Object> changePrice(@PathVariable String code, @RequestBody PriceChange change) {
        if (change == null || change.periodPriceMinor() == null || change.perThousandMinor() == null) {
            throw DomainProblem.invalid("invalid_price", "periodPriceMinor and perThousandMinor are required");
        }
        PlanPrices.Price price = prices.change(code, change.periodPriceMinor(), change.perThousandMinor(),
                change.monthlyEmails(), ACTOR);
        return price(price, null);
    }

    private static Map<String, Object> price(PlanPrices.Price price, Long allowance) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("plan", price.planCode());
        json.put("periodPriceMinor", price.periodPriceMinor());
        json.put("perThousandMinor", price.perThousandMinor());
        json.put("monthlyEmails", price.monthlyEmails());
        if (allowance != null) {
            json.put("monthlyAllowance", allowance);
        }
        return json;
    }

    record Issue(String period) {
    }

    @PostMapping("/invoices/issue")
    @Operation(summary = "Issue every master's invoice of an ended period (default: the previous month)")
    Map<String, Object> issue(@RequestBody(required = false) Issue issue) {
        BillingPeriod period = issue == null || issue.period() == null ? BillingPeriod.of(clock.instant()).previous()
                : BillingPeriod.parse(issue.period());
        if (period == null) {
            throw DomainProblem.invalid("invalid_period", "a period is a month such as 2026-11").with("field", "period");
        }
        int issued = invoices.issueAll(period, ACTOR, null);
        return Map.of("period", period.key(), "issued", issued);
    }

    record CreditNote(String reason) {
    }

    @PostMapping("/invoices/{id}/credit-notes")
    @Operation(summary = "Correct an invoice with a credit note that reverses it")
    Map<String, Object> creditNote(@PathVariable long id, @RequestBody CreditNote note) {
        return BillingApi.json(invoices.creditNote(id, note == null ? null : note.reason(), ACTOR));
    }

    @GetMapping("/invoices")
    @Operation(summary = "The invoices of every master, newest first")
    PageOf<Map<String, Object>> all(@RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        return invoices.all(new PageRequest(Math.max(0, page), Math.max(1, Math.min(size, PageRequest.MAX_SIZE))))
                .map(BillingApi::summary);
    }
}
