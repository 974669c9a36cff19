package io.mailtree.access.web;

import io.mailtree.access.PasswordResets;
import io.mailtree.shared.DomainProblem;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** Forgotten password and password set-up pages. */
@Controller
class PasswordController {

    private final PasswordResets resets;

    PasswordController(PasswordResets resets) {
        this.resets = resets;
    }

    @GetMapping("/forgot-password")
    String forgotForm() {
        return "access/forgot-password";
    }

    /** Answers the same page for a known and an unknown address, limited or not (no account enumeration). */
    @PostMapping("/forgot-password")
    String forgot(@RequestParam(defaultValue = "") String email, HttpServletRequest request, Model model) {
        try {
            resets.request(email, request.getRemoteAddr());
            model.addAttribute("sent", true);
        } catch (DomainProblem limited) {
            model.addAttribute("problem", limited);
        }
        return "access/forgot-password";
    }

    @GetMapping("/reset-password")
    String resetForm(@RequestParam(defaultValue = "") String token, Model model) {
        model.addAttribute("token", token);
        model.addAttribute("valid", resets.userOf(token).isPresent());
        return "access/reset-password";
    }

    @PostMapping("/reset-password")
    String reset(@RequestParam(defaultValue = "") String token, @RequestParam(defaultValue = "") String password,
            HttpServletRequest request, Model model) {
        try {
            if (resets.reset(token, password, request.getRemoteAddr())) {
                return "redirect:/login?passwordChanged";
            }
            model.addAttribute("valid", false);
        } catch (DomainProblem problem) {
            model.addAttribute("valid", true);
            model.addAttribute("problem", problem);
        }
        model.addAttribute("token", token);
        return "access/reset-password";
    }
}
