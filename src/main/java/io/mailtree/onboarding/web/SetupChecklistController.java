package io.mailtree.onboarding.web;

import io.mailtree.onboarding.SetupChecklist;
import io.mailtree.shared.Caller;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Dismisses the home page's setup checklist for the caller's account (every signed-in person may). */
@Controller
class SetupChecklistController {

    private final SetupChecklist checklist;

    SetupChecklistController(SetupChecklist checklist) {
        this.checklist = checklist;
    }

    @PostMapping("/setup-checklist/dismiss")
    String dismiss(Caller caller, RedirectAttributes redirect) {
        checklist.dismiss(caller.accountId());
        redirect.addFlashAttribute("notice", "checklist.dismissed");
        return "redirect:/home";
    }
}
