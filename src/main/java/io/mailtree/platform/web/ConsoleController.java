package io.mailtree.platform.web;

import io.mailtree.access.SignedInOperator;
import io.mailtree.access.User;
import io.mailtree.access.Users;
import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.MasterSettings;
import io.mailtree.accounts.Plan;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.outcomes.OutcomeConsumers;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The operator console: all masters, each master's plan, sub-account feature and enterprise limit,
 * and how far each outcome consumer is behind the delivery event stream.
 */
@Controller
class ConsoleController {

    private final AccountTree accounts;
    private final OutcomeConsumers consumers;
    private final Users users;

    ConsoleController(AccountTree accounts, OutcomeConsumers consumers, Users users) {
        this.accounts = accounts;
        this.consumers = consumers;
        this.users = users;
    }

    /**
     * One master as the console lists it: who owns it, its plan by name, and how much of its contact
     * limit is taken (its own active contacts plus what it allocated to sub-accounts; null limit for
     * plans without a contact allowance).
     */
    record MasterRow(Account master, Plan plan, String ownerEmail, Integer contactLimit, long contactsUsed) {
    }

    @GetMapping("/platform")
    String masters(@RequestParam(defaultValue = "0") int page, @RequestParam(required = false) String q,
            @AuthenticationPrincipal SignedInOperator operator, Model model) {
        var masters = accounts.masters(q, new PageRequest(Math.max(page, 0), 50));
        model.addAttribute("masters", masters);
        model.addAttribute("rows", masters.items().stream().map(this::row).toList());
        model.addAttribute("plans", accounts.plans());
        model.addAttribute("eligibility", masters.items().stream()
                .collect(java.util.stream.Collectors.toMap(a -> a.id(), accounts::maySubaccounts)));
        model.addAttribute("q", q);
        model.addAttribute("operator", operator);
        model.addAttribute("consumers", consumers.status());
        return "platform/masters";
    }

    @PostMapping("/platform/masters/{id}")
    String change(@PathVariable String id, @RequestParam(required = false) String plan,
            @RequestParam(defaultValue = "default") String subaccounts,
            @RequestParam(required = false) String enterpriseContactLimit,
            @AuthenticationPrincipal SignedInOperator operator, HttpServletRequest request, RedirectAttributes redirect) {
        Account master = AccountId.parse(id).flatMap(accounts::find).filter(Account::isMaster)
                .orElseThrow(() -> DomainProblem.notFound("master_not_found", "master"));
        try {
            Integer limit = enterpriseContactLimit == null || enterpriseContactLimit.isBlank() ? null
                    : parseLimit(enterpriseContactLimit);
            Boolean enabled = switch (subaccounts) {
                case "on" -> true;
                case "off" -> false;
                default -> null;
            };
            accounts.changeMasterSettings(master.id(),
                    new MasterSettings(plan == null || plan.isBlank() ? null : plan, enabled, enabled == null, limit),
                    operator.email(), request.getRemoteAddr());
            redirect.addFlashAttribute("notice", "platform.saved");
            redirect.addFlashAttribute("noticeArg", master.name());
        } catch (DomainProblem problem) {
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
        }
        return "redirect:/platform";
    }

    private MasterRow row(Account master) {
        Plan plan = accounts.planOf(master);
        return new MasterRow(master, plan, users.ownerOf(master.id()).map(User::email).orElse(null),
                master.contactLimit(plan), master.ownActiveContacts() + master.allocatedToSubaccounts());
    }

    private static Integer parseLimit(String text) {
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException notNumber) {
            throw DomainProblem.invalid("invalid_contact_limit", "the contact limit must be a whole number");
        }
    }
}
