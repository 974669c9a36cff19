package io.mailtree.accounts.web;

import io.mailtree.accounts.AccountTree;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * "Account configuration" ({@code ACCOUNT_SETTINGS}): a page a collaborator without that right neither
 * sees in the navigation nor reaches by URL (D-23). "Account billing" is billing's
 * ({@code billing.web}).
 */
@Controller
class AccountSettingsPagesController {

    private final AccountTree accounts;

    AccountSettingsPagesController(AccountTree accounts) {
        this.accounts = accounts;
    }

    @GetMapping("/account/configuration")
    @RequiresPermission(Permission.ACCOUNT_SETTINGS)
    String configuration(Caller caller, Model model) {
        model.addAttribute("account", accounts.require(caller.accountId()));
        return "accounts/configuration";
    }
}
