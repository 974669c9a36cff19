package io.mailtree.onboarding.web;

import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.AllocationTiers;
import io.mailtree.accounts.Allowance;
import io.mailtree.accounts.ContactAllowance;
import io.mailtree.onboarding.Onboarding;
import io.mailtree.shared.Caller;
import io.mailtree.access.Users;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.Texts;
import io.mailtree.shared.web.FieldErrors;
import io.mailtree.shared.MastersOnly;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The "new sub-account" form, which shows what is available before the master chooses. */
@Controller
@RequiresPermission(Permission.SUBACCOUNTS)
class NewSubaccountController {

    private final Onboarding onboarding;
    private final Users users;
    private final AccountTree accounts;
    private final ContactAllowance contactAllowance;

    NewSubaccountController(Onboarding onboarding, AccountTree accounts, ContactAllowance contactAllowance, Users users) {
        this.users = users;
        this.onboarding = onboarding;
        this.accounts = accounts;
        this.contactAllowance = contactAllowance;
    }

    @GetMapping("/subaccounts/new")
    String form(Caller caller, Model model) {
        prepare(caller, model);
        return "onboarding/new-subaccount";
    }

    @PostMapping("/subaccounts/new")
    String create(Caller caller, @RequestParam(defaultValue = "") String name,
            @RequestParam(defaultValue = "") String ownerEmail, @RequestParam(defaultValue = "") String password,
            @RequestParam(required = false) String contactAllocation, Model model, RedirectAttributes redirect) {
        // Every field checked first, so that the page shows all their errors at once beside them.
        FieldErrors errors = new FieldErrors();
        errors.check("name", () -> Texts.name(name, AccountTree.NAME_MAX));
        errors.check("ownerEmail", () -> EmailAddresses.normalise(ownerEmail));
        if (!password.isEmpty()) {
            errors.checkThat("password", () -> users.requireValidPassword(password));
        }
        Integer allocation = errors.check("contactAllocation", () -> parseAllocation(contactAllocation));
        if (!errors.any()) {
            try {
                var created = onboarding.createSubaccount(caller, name, ownerEmail, password.isEmpty() ? null : password,
                        allocation);
                redirect.addFlashAttribute("createdName", created.account().name());
                redirect.addFlashAttribute("createdKey", created.apiKey().key().publicKey());
                redirect.addFlashAttribute("createdSecret", created.apiKey().secret());
                return "redirect:/subaccounts";
            } catch (MastersOnly refused) {
                throw refused;
            } catch (DomainProblem problem) {
                // A refusal naming no field is about the allocation (the allowance, the tiers, the plan).
                errors.addOr("contactAllocation", problem);
            }
        }
        model.addAttribute("fieldErrors", errors);
        model.addAttribute("name", name);
        model.addAttribute("ownerEmail", ownerEmail);
        model.addAttribute("selectedAllocation", contactAllocation);
        prepare(caller, model);
        return "onboarding/new-subaccount";
    }

    private void prepare(Caller caller, Model model) {
        var master = accounts.master(caller);
        Allowance allowance = contactAllowance.allowance(master.id());
        model.addAttribute("allowance", allowance);
        model.addAttribute("tiers", AllocationTiers.ALL);
        model.addAttribute("usesAllocation", allowance.limit() != null);
        model.addAttribute("eligible", accounts.maySubaccounts(master));
        model.addAttribute("plan", master.planCode());
    }

    private static Integer parseAllocation(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException notNumber) {
            throw DomainProblem.invalid("allocation_not_a_tier", "not an allocation tier", text);
        }
    }
}
