package io.mailtree.accounts.web;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.ContactAllowance;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * "Account billing" (permission {@code BILLING}) and "Account configuration" ({@code ACCOUNT_SETTINGS}):
 * the two pages a collaborator without those rights neither sees in the navigation nor reaches by
 * URL (D-23). Billing shows the subscription the account runs on: a sub-account and every
 * collaborator use the master's (D-21).
 */
@Controller
class AccountSettingsPagesController {

    private final AccountTree accounts;
    private final ContactAllowance allowance;

    AccountSettingsPagesController(AccountTree accounts, ContactAllowance allowance) {
        this.accounts = accounts;
        this.allowance = allowance;
    }

    @GetMapping("/account/billing")
    @RequiresPermission(Permission.BILLING)
    String billing(Caller caller, Model model) {
        Account account = accounts.require(caller.accountId());
        Account master = accounts.require(account.rootId());
        model.addAttribute("account", account);
        model.addAttribute("master", master);
        model.addAttribute("plan", accounts.planOf(master));
        model.addAttribute("allowance", allowance.allowance(account.id()));
        return "accounts/billing";
    }

    @GetMapping("/account/configuration")
    @RequiresPermission(Permission.ACCOUNT_SETTINGS)
    String configuration(Caller caller, Model model) {
        model.addAttribute("account", accounts.require(caller.accountId()));
        return "accounts/configuration";
    }
}
