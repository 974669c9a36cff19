package io.mailtree.access.web;

import io.mailtree.access.AccountChoice;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;

/** The header's account switcher: moves the session into another account the person belongs to. */
@Controller
class AccountChoiceController {

    private final AccountChoice choice;

    AccountChoiceController(AccountChoice choice) {
        this.choice = choice;
    }

    @PostMapping("/accounts/{id}/choose")
    String choose(Caller caller, @PathVariable String id, HttpServletRequest request) {
        AccountId target = AccountId.parse(id).orElseThrow(() -> DomainProblem.notFound("account_not_found", "account"));
        choice.choose(caller, target, request);
        return "redirect:/home";
    }
}
