package io.mailtree.content.web;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.SubaccountNotFound;
import io.mailtree.accounts.sharing.SharePicker;
import io.mailtree.content.EmailStatus;
import io.mailtree.content.Emails;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * D-25: a master's oversight of its sub-accounts' e-mails, with the owner of each, filtered by
 * status and by sub-account. The statistics columns show a dash until sending exists.
 */
@Controller
@RequiresPermission(Permission.SUBACCOUNTS)
class SubaccountEmailsPageController {

    private final Emails emails;
    private final SharePicker sharePicker;

    SubaccountEmailsPageController(Emails emails, SharePicker sharePicker) {
        this.emails = emails;
        this.sharePicker = sharePicker;
    }

    @GetMapping("/subaccounts/emails")
    String oversight(Caller caller, @RequestParam(required = false) String status,
            @RequestParam(required = false) String subaccountId, @RequestParam(defaultValue = "0") int page,
            Model model) {
        List<Account> subaccounts = sharePicker.targets(caller);
        AccountId sub = subaccountId == null || subaccountId.isBlank() ? null
                : AccountId.parse(subaccountId).orElseThrow(SubaccountNotFound::new);
        EmailStatus filter = EmailPagesController.status(status);
        model.addAttribute("rows", emails.acrossSubaccounts(caller, filter, sub,
                new PageRequest(Math.max(page, 0), 50)));
        model.addAttribute("subaccounts", subaccounts);
        model.addAttribute("statuses", EmailStatus.values());
        model.addAttribute("status", filter == null ? null : filter.name());
        model.addAttribute("subaccountId", sub == null ? null : sub.toString());
        return "content/subaccount-emails";
    }
}
