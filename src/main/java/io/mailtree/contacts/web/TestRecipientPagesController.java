package io.mailtree.contacts.web;

import io.mailtree.accounts.sharing.SharePicker;
import io.mailtree.contacts.Sharing;
import io.mailtree.contacts.TestRecipient;
import io.mailtree.contacts.TestRecipients;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The test recipients ("受信テスター"): list, add, remove, and share them with sub-accounts (D-28). */
@Controller
@RequiresPermission(Permission.CONTACTS)
class TestRecipientPagesController {

    private final TestRecipients testRecipients;
    private final Sharing sharing;
    private final SharePicker sharePicker;

    TestRecipientPagesController(TestRecipients testRecipients, Sharing sharing, SharePicker sharePicker) {
        this.testRecipients = testRecipients;
        this.sharing = sharing;
        this.sharePicker = sharePicker;
    }

    @GetMapping("/test-recipients")
    String list(Caller caller, Model model) {
        prepare(caller, model);
        return "contacts/test-recipients";
    }

    @PostMapping("/test-recipients")
    String add(Caller caller, @RequestParam(defaultValue = "") String email, @RequestParam(defaultValue = "") String name,
            Model model, RedirectAttributes redirect) {
        try {
            TestRecipient added = testRecipients.add(caller.accountId(), email, name);
            redirect.addFlashAttribute("notice", "testRecipients.addedNotice");
            redirect.addFlashAttribute("noticeArg", added.email());
            return "redirect:/test-recipients";
        } catch (DomainProblem problem) {
            model.addAttribute("problem", problem);
            model.addAttribute("email", email);
            model.addAttribute("name", name);
            prepare(caller, model);
            return "contacts/test-recipients";
        }
    }

    @PostMapping("/test-recipients/{id}/remove")
    String remove(Caller caller, @PathVariable String id, RedirectAttributes redirect) {
        testRecipients.remove(caller.accountId(), WebIds.parse(id, "test_recipient_not_found", "test recipient"));
        redirect.addFlashAttribute("notice", "testRecipients.removed");
        return "redirect:/test-recipients";
    }

    @PostMapping("/test-recipients/share")
    String share(Caller caller, @RequestParam(name = "subaccountId", required = false) List<String> targets,
            RedirectAttributes redirect) {
        sharePicker.flash(caller, redirect,
                () -> sharing.shareTestRecipients(caller, targets == null ? List.of() : targets));
        return "redirect:/test-recipients#share";
    }

    private void prepare(Caller caller, Model model) {
        model.addAttribute("recipients", testRecipients.of(caller.accountId()));
        model.addAttribute("max", TestRecipients.MAX);
        sharePicker.addTargets(caller, model);
    }
}
