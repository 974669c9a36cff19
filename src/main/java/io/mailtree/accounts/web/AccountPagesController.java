package io.mailtree.accounts.web;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.AllocationTiers;
import io.mailtree.accounts.Allowance;
import io.mailtree.accounts.ContactAllowance;
import io.mailtree.accounts.SubaccountNotFound;
import io.mailtree.accounts.SubaccountSort;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.AccountOwners;
import io.mailtree.shared.SentCounts;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Texts;
import io.mailtree.shared.web.FieldErrors;
import io.mailtree.shared.MastersOnly;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The dashboard with the allowance figures, and the sub-accounts page: each name opens the
 * sub-account in one click; an options menu per row offers Edit and Deactivate / Activate.
 */
@Controller
class AccountPagesController {

    private final AccountTree accounts;
    private final ContactAllowance contactAllowance;
    private final SentCounts sentCounts;
    private final AccountOwners owners;
    private final Clock clock;

    AccountPagesController(AccountTree accounts, ContactAllowance contactAllowance, SentCounts sentCounts,
            AccountOwners owners, Clock clock) {
        this.accounts = accounts;
        this.contactAllowance = contactAllowance;
        this.sentCounts = sentCounts;
        this.owners = owners;
        this.clock = clock;
    }

    @GetMapping("/home")
    String home(Caller caller, Model model) {
        Account account = accounts.require(caller.accountId());
        model.addAttribute("account", account);
        model.addAttribute("allowance", contactAllowance.allowance(account.id()));
        model.addAttribute("plan", accounts.planOf(account));
        model.addAttribute("subaccountsAllowed", account.isMaster() && accounts.maySubaccounts(account));
        return "accounts/home";
    }

    @GetMapping("/subaccounts")
    @RequiresPermission(Permission.SUBACCOUNTS)
    String list(Caller caller, @RequestParam(defaultValue = "0") int page, @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort, @RequestParam(required = false) String dir, Model model) {
        Account master = accounts.master(caller);
        SubaccountSort order = SubaccountSort.parse(sort);
        boolean descending = "desc".equalsIgnoreCase(dir);
        var subs = accounts.subaccounts(caller, q, order, descending, new PageRequest(Math.max(page, 0), 50));
        Map<AccountId, Allowance.PendingRelease> pending = new LinkedHashMap<>();
        Allowance allowance = contactAllowance.allowance(master.id());
        allowance.pendingRelease().forEach(p -> pending.put(p.subaccountId(), p));
        List<AccountId> shown = subs.items().stream().map(Account::id).toList();
        // Figures other modules own come through their interfaces in shared, never from their tables (ADR 0011).
        Map<AccountId, Long> sent = shown.isEmpty() ? Map.of() : sentCounts.acceptedSince(shown, monthStart());
        Map<AccountId, String> ownerOf = new LinkedHashMap<>();
        shown.forEach(id -> owners.ownerEmail(id).ifPresent(email -> ownerOf.put(id, email)));
        model.addAttribute("subaccounts", subs);
        model.addAttribute("pending", pending);
        model.addAttribute("sentThisMonth", sent);
        model.addAttribute("owners", ownerOf);
        model.addAttribute("allowance", allowance);
        model.addAttribute("eligible", accounts.maySubaccounts(master));
        model.addAttribute("q", q);
        model.addAttribute("sort", order.param());
        model.addAttribute("dir", descending ? "desc" : "asc");
        return "accounts/subaccounts";
    }

    /** How many sub-accounts the header's switcher lists; the rest are a search or the full list away. */
    static final int SWITCHER_CHOICES = 15;

    /**
     * The header's sub-account switcher (D-14): the master's active sub-accounts whose name holds
     * {@code q}, by name, at most {@value #SWITCHER_CHOICES}. Loaded by htmx when the menu is opened,
     * so no page pays for it otherwise; a sub-account (or a switched session) is refused as on the list page.
     */
    @GetMapping("/subaccounts/switcher")
    @RequiresPermission(Permission.SUBACCOUNTS)
    String switcher(Caller caller, @RequestParam(required = false) String q, Model model) {
        String search = q == null ? null : q.strip();
        if (search != null && search.length() > 100) {
            search = search.substring(0, 100);
        }
        var page = accounts.subaccounts(caller, search, SubaccountSort.parse("name"), false,
                new PageRequest(0, SWITCHER_CHOICES * 4));
        List<Account> active = page.items().stream().filter(Account::isActive).toList();
        model.addAttribute("choices", active.subList(0, Math.min(SWITCHER_CHOICES, active.size())));
        model.addAttribute("more", active.size() > SWITCHER_CHOICES || page.items().size() == SWITCHER_CHOICES * 4);
        model.addAttribute("q", search);
        return "accounts/switcher :: items";
    }

    /** The first instant of this month in UTC, where "e-mails this month" start counting. */
    private Instant monthStart() {
        return LocalDate.now(clock.withZone(ZoneOffset.UTC)).withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /**
     * Deactivates or activates the ticked sub-accounts one by one (each in its own transaction,
     * audited like a single act) and reports the outcome of each. Ids the master cannot see are only
     * counted, never named.
     */
    @PostMapping("/subaccounts/bulk")
    @RequiresPermission(Permission.SUBACCOUNTS)
    String bulk(Caller caller, @RequestParam(defaultValue = "") String action,
            @RequestParam(name = "ids", required = false) List<String> ids, RedirectAttributes redirect) {
        // A master's act: a sub-account's caller is refused before anything it sent is read.
        Account master = accounts.master(caller);
        boolean deactivate = switch (action) {
            case "deactivate" -> true;
            case "activate" -> false;
            default -> throw DomainProblem.invalid("invalid_bulk_action", "the action is deactivate or activate");
        };
        List<String> chosen = ids == null ? List.of() : ids.stream().filter(id -> !id.isBlank()).distinct().toList();
        if (chosen.size() > BULK_MAX) {
            throw DomainProblem.invalid("bulk_too_many", "at most " + BULK_MAX + " sub-accounts at a time", BULK_MAX);
        }
        List<BulkResult> results = new ArrayList<>();
        int notFound = 0;
        for (String id : chosen) {
            Account sub;
            try {
                sub = accounts.subaccount(master.id(), parse(id));
            } catch (SubaccountNotFound unknown) {
                notFound++;
                continue;
            }
            if (sub.isActive() != deactivate) {
                results.add(new BulkResult(sub.name(), deactivate ? "bulk.alreadyInactive" : "bulk.alreadyActive",
                        null, new Object[0]));
                continue;
            }
            try {
                if (deactivate) {
                    accounts.deactivate(caller, sub.id());
                } else {
                    accounts.activate(caller, sub.id());
                }
                results.add(new BulkResult(sub.name(), deactivate ? "bulk.deactivated" : "bulk.activated", null,
                        new Object[0]));
            } catch (MastersOnly refused) {
                throw refused;
            } catch (DomainProblem refused) {
                results.add(new BulkResult(sub.name(), null, refused.code(), refused.arguments()));
            }
        }
        redirect.addFlashAttribute("bulkResults", results);
        redirect.addFlashAttribute("bulkNotFound", notFound);
        return "redirect:/subaccounts";
    }

    /** At most this many sub-accounts in one bulk act: a page of the list holds 50. */
    static final int BULK_MAX = 100;

    /** One sub-account's outcome in a bulk act: a {@code subaccounts.<outcome>} message, or a refusal's code. */
    public record BulkResult(String name, String outcome, String problemCode, Object[] problemArgs)
            implements java.io.Serializable {
    }

    @GetMapping("/subaccounts/{id}/edit")
    @RequiresPermission(Permission.SUBACCOUNTS)
    String editForm(Caller caller, @PathVariable String id, Model model) {
        Account master = accounts.master(caller);
        Account sub = accounts.subaccount(master.id(), parse(id));
        prepareEdit(master, sub, model);
        model.addAttribute("name", sub.name());
        return "accounts/edit-subaccount";
    }

    @PostMapping("/subaccounts/{id}/edit")
    @RequiresPermission(Permission.SUBACCOUNTS)
    String edit(Caller caller, @PathVariable String id, @RequestParam(defaultValue = "") String name,
            @RequestParam(required = false) String contactAllocation, Model model, RedirectAttributes redirect) {
        Account master = accounts.master(caller);
        Account sub = accounts.subaccount(master.id(), parse(id));
        FieldErrors errors = new FieldErrors();
        errors.check("name", () -> Texts.name(name, AccountTree.NAME_MAX));
        Integer parsed = errors.check("contactAllocation", () -> contactAllocation == null || contactAllocation.isBlank()
                ? null : parseAllocation(contactAllocation));
        if (!errors.any()) {
            // An unchanged allocation is not asked again: it would be checked against the allowance it already holds.
            Integer allocation = parsed != null && parsed.equals(sub.contactAllocation()) ? null : parsed;
            try {
                accounts.editSubaccount(caller, sub.id(), name, allocation);
                redirect.addFlashAttribute("notice", "subaccount.savedNamed");
                redirect.addFlashAttribute("noticeArg", name.strip());
                return "redirect:/subaccounts";
            } catch (DomainProblem problem) {
                errors.addOr("contactAllocation", problem);
            }
        }
        model.addAttribute("fieldErrors", errors);
        model.addAttribute("name", name);
        prepareEdit(master, sub, model);
        return "accounts/edit-subaccount";
    }

    @PostMapping("/subaccounts/{id}/deactivate")
    @RequiresPermission(Permission.SUBACCOUNTS)
    String deactivate(Caller caller, @PathVariable String id, RedirectAttributes redirect) {
        return act(caller, id, redirect, true);
    }

    @PostMapping("/subaccounts/{id}/activate")
    @RequiresPermission(Permission.SUBACCOUNTS)
    String activate(Caller caller, @PathVariable String id, RedirectAttributes redirect) {
        return act(caller, id, redirect, false);
    }

    private String act(Caller caller, String id, RedirectAttributes redirect, boolean deactivate) {
        try {
            Account sub = deactivate ? accounts.deactivate(caller, parse(id)) : accounts.activate(caller, parse(id));
            redirect.addFlashAttribute("notice", deactivate ? "subaccount.deactivated" : "subaccount.activated");
            redirect.addFlashAttribute("noticeArg", sub.name());
        } catch (DomainProblem problem) {
            if (problem.status() == 404 || problem instanceof MastersOnly) {
                throw problem;
            }
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
        }
        return "redirect:/subaccounts";
    }

    private void prepareEdit(Account master, Account sub, Model model) {
        model.addAttribute("sub", sub);
        model.addAttribute("allowance", contactAllowance.allowance(master.id()));
        model.addAttribute("tiers", AllocationTiers.ALL);
        model.addAttribute("usesAllocation", sub.contactAllocation() != null);
    }

    private static AccountId parse(String id) {
        return AccountId.parse(id).orElseThrow(io.mailtree.accounts.SubaccountNotFound::new);
    }

    private static Integer parseAllocation(String text) {
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException notNumber) {
            throw DomainProblem.invalid("allocation_not_a_tier", "not an allocation tier", text);
        }
    }
}
