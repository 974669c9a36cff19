package io.mailtree.billing.web;

import io.mailtree.billing.BillingPeriod;
import io.mailtree.billing.Credits;
import io.mailtree.billing.Invoices;
import io.mailtree.billing.PlanPrices;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.time.Clock;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Billing on the operator console ({@code /platform/**}, operators only): the plans' prices, prepaid
 * credits top-ups, issuing the last period's invoices with their progress, and every master's
 * invoices. The same acts as {@code /api/platform/v1/billing}; top-ups and invoices are audited in
 * the master's log.
 */
@Controller
class BillingConsoleController {

    private final PlanPrices prices;
    private final Credits credits;
    private final Invoices invoices;
    private final Clock clock;

    BillingConsoleController(PlanPrices prices, Credits credits, Invoices invoices, Clock clock) {
        this.prices = prices;
        this.credits = credits;
        this.invoices = invoices;
        this.clock = clock;
    }

    @GetMapping("/platform/billing")
    String page(@RequestParam(defaultValue = "0") int page, Principal operator, Model model) {
        model.addAttribute("operator", operator.getName());
        model.addAttribute("prices", prices.all());
        model.addAttribute("invoices", invoices.all(new PageRequest(Math.max(0, page), 50)));
        model.addAttribute("previous", BillingPeriod.of(clock.instant()).previous().key());
        model.addAttribute("currency", invoices.currency());
        model.addAttribute("taxRate", invoices.taxRate().movePointRight(2).stripTrailingZeros().toPlainString());
        return "billing/console";
    }

    @PostMapping("/platform/billing/prices/{code}")
    String price(@PathVariable String code, @RequestParam(required = false) String periodPriceMinor,
            @RequestParam(required = false) String perThousandMinor, @RequestParam(required = false) String monthlyEmails,
            Principal operator, RedirectAttributes redirect) {
        return act(redirect, () -> {
            prices.change(code, number(periodPriceMinor, 0L), number(perThousandMinor, 0L), number(monthlyEmails, null),
                    operator.getName());
            redirect.addFlashAttribute("notice", "platform.saved");
            redirect.addFlashAttribute("noticeArg", code);
        });
    }

    @PostMapping("/platform/billing/top-ups")
    String topUp(@RequestParam(required = false) String master, @RequestParam(required = false) String credits,
            Principal operator, HttpServletRequest request, RedirectAttributes redirect) {
        return act(redirect, () -> {
            AccountId id = AccountId.parse(master == null ? "" : master.strip())
                    .orElseThrow(() -> DomainProblem.invalid("master_not_found", "no master has this id"));
            Long amount = number(credits, null);
            if (amount == null) {
                throw DomainProblem.invalid("invalid_credits", "credits is required", 100_000_000);
            }
            this.credits.topUp(id, amount, operator.getName(), request.getRemoteAddr());
            redirect.addFlashAttribute("notice", "billing.console.toppedUp");
            redirect.addFlashAttribute("noticeArg", amount);
        });
    }

    @PostMapping("/platform/billing/issue")
    String issue(@RequestParam(required = false) String period, Principal operator, RedirectAttributes redirect) {
        return act(redirect, () -> {
            BillingPeriod chosen = BillingPeriod.parse(period);
            if (chosen == null) {
                throw DomainProblem.invalid("invalid_period", "a period is a month such as 2026-11");
            }
            int issued = invoices.issueAll(chosen, operator.getName(), null);
            redirect.addFlashAttribute("notice", "billing.console.issued");
            redirect.addFlashAttribute("noticeArg", issued);
        });
    }

    private static Long number(String text, Long blank) {
        if (text == null || text.isBlank()) {
            return blank;
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException notANumber) {
            throw DomainProblem.invalid("invalid_price", "prices and allowances are whole numbers from 0");
        }
    }

    private static String act(RedirectAttributes redirect, Runnable act) {
        try {
            act.run();
        } catch (DomainProblem problem) {
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
        }
        return "redirect:/platform/billing";
    }
}
