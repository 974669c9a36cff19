package io.mailtree.access.web;

import io.mailtree.access.SignedInOperator;
import io.mailtree.access.TwoFactorPending;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The sign-in page and the front door. */
@Controller
class SignInController {

    @GetMapping("/")
    String root() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !authentication.isAuthenticated()
                || "anonymousUser".equals(authentication.getPrincipal())) {
            return "redirect:/login";
        }
        if (TwoFactorPending.is(authentication)) {
            return "redirect:/login/code";
        }
        return authentication.getPrincipal() instanceof SignedInOperator ? "redirect:/platform" : "redirect:/home";
    }

    @GetMapping("/login")
    String login() {
        return "access/login";
    }
}
