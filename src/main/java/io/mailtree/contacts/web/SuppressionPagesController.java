package io.mailtree.contacts.web;

import io.mailtree.contacts.Suppression;
import io.mailtree.contacts.Suppressions;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The suppression list: addresses never mailed. People add MANUAL entries; delivery adds the others. */
@Controller
@RequiresPermission(Permission.CONTACTS)
class SuppressionPagesController {

    private final Suppressions suppressions;
    private final io.mailtree.keys.ApiKeys keys;

    SuppressionPagesController(Suppressions suppressions, io.mailtree.keys.ApiKeys keys) {
        this.suppressions = suppressions;
        this.keys = keys;
    }

    @GetMapping("/suppressions")
    String list(Caller caller, @RequestParam(required = false) String cursor, Model model) {
        prepare(caller, cursor, model);
        return "contacts/suppressions";
    }

    @PostMapping("/suppressions")
    String add(Caller caller, @RequestParam(defaultValue = "") String email,
            @RequestParam(defaultValue = "") String detail, Model model, RedirectAttributes redirect) {
        try {
            Suppression added = suppressions.add(caller.accountId(), email, "MANUAL",
                    detail.isBlank() ? null : detail.strip());
            redirect.addFlashAttribute("notice", "suppressions.added");
            redirect.addFlashAttribute("noticeArg", added.email());
            return "redirect:/suppressions";
        } catch (DomainProblem problem) {
            model.addAttribute("problem", problem);
            model.addAttribute("email", email);
            model.addAttribute("detail", detail);
            prepare(caller, null, model);
            return "contacts/suppressions";
        }
    }

    @PostMapping("/suppressions/remove")
    String remove(Caller caller, @RequestParam(defaultValue = "") String email, RedirectAttributes redirect) {
        try {
            suppressions.remove(caller.accountId(), email);
            redirect.addFlashAttribute("notice", "suppressions.removed");
            redirect.addFlashAttribute("noticeArg", email);
        } catch (DomainProblem problem) {
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
        }
        return "redirect:/suppressions";
    }

    private void prepare(Caller caller, String cursor, Model model) {
        model.addAttribute("page", suppressions.list(caller.accountId(), cursor, ContactPagesController.PAGE));
        // D-20: the key whose mail caused each suppression, by name.
        model.addAttribute("keyNames", keys.of(caller.accountId()).stream().collect(java.util.stream.Collectors.toMap(
                k -> k.id().value(), io.mailtree.keys.ApiKey::name)));
        model.addAttribute("cursor", cursor == null || cursor.isBlank() ? null : cursor);
    }
}
