package io.mailtree.access.web;

import io.mailtree.access.Switching;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;

/**
 * D-14: one click on a sub-account's name opens it; one click on "Back to main" returns to the
 * master's home page. POST with a CSRF token, so no link elsewhere can switch a user's account.
 */
@Controller
class SwitchController {

    private final Switching switching;

    SwitchController(Switching switching) {
        this.switching = switching;
    }

    @PostMapping("/subaccounts/{id}/open")
    String open(Caller caller, @PathVariable String id, HttpServletRequest request) {
        AccountId sub = AccountId.parse(id).orElseThrow(() -> DomainProblem.notFound("subaccount_not_found", "sub-account"));
        switching.open(caller, sub, request.getSession());
        // A switch changes what the session may reach: a new id, so one captured before does not follow.
        request.changeSessionId();
        return "redirect:/home";
    }

    @PostMapping("/back-to-main")
    String back(Caller caller, HttpServletRequest request) {
        if (switching.back(caller, request.getSession()) != null) {
            request.changeSessionId();
        }
        return "redirect:/home";
    }
}
