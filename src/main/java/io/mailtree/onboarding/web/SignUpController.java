package io.mailtree.onboarding.web;

import io.mailtree.access.SignedInUser;
import io.mailtree.access.Users;
import io.mailtree.onboarding.Onboarding;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import io.mailtree.shared.Texts;
import io.mailtree.shared.web.FieldErrors;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** Sign-up, the "check your e-mail" page, and the verification link (D-1). */
@Controller
class SignUpController {

    private final Onboarding onboarding;
    private final Users users;
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();

    SignUpController(Onboarding onboarding, Users users) {
        this.onboarding = onboarding;
        this.users = users;
    }

    @GetMapping("/signup")
    String form() {
        return "onboarding/signup";
    }

    @PostMapping("/signup")
    String signUp(@RequestParam(defaultValue = "") String name, @RequestParam(defaultValue = "") String email,
            @RequestParam(defaultValue = "") String password, HttpServletRequest request, HttpServletResponse response,
            Model model) {
        // Every field checked first, so that the page shows all their errors at once beside them.
        FieldErrors errors = new FieldErrors();
        errors.check("name", () -> Texts.name(name, 100));
        errors.check("email", () -> EmailAddresses.normalise(email));
        errors.checkThat("password", () -> users.requireValidPassword(password));
        if (errors.any()) {
            return again(errors, name, email, model);
        }
        try {
            var created = onboarding.signUp(name, email, password, request.getRemoteAddr());
            // Signed in at once, but an unverified account reaches only the "check your e-mail" page.
            request.changeSessionId();
            SecurityContext context = SecurityContextHolder.createEmptyContext();
            context.setAuthentication(new UsernamePasswordAuthenticationToken(
                    new SignedInUser(created.owner().id(), created.owner().email()), null,
                    List.of(new SimpleGrantedAuthority("ROLE_USER"))));
            SecurityContextHolder.setContext(context);
            contexts.saveContext(context, request, response);
            return "redirect:/check-email";
        } catch (DomainProblem problem) {
            // The login e-mail is the form's "email" field, whatever name the service gives it.
            if ("login_email_taken".equals(problem.code())) {
                errors.add("email", problem);
            } else if (!errors.add(problem)) {
                model.addAttribute("problem", problem);
            }
            return again(errors, name, email, model);
        }
    }

    private static String again(FieldErrors errors, String name, String email, Model model) {
        model.addAttribute("fieldErrors", errors);
        model.addAttribute("name", name);
        model.addAttribute("email", email);
        return "onboarding/signup";
    }

    @GetMapping("/check-email")
    String checkEmail(Caller caller, Model model) {
        model.addAttribute("email", caller.actor());
        return "onboarding/check-email";
    }

    @PostMapping("/resend-verification")
    String resend(Caller caller, Model model) {
        try {
            users.find(caller.userId()).ifPresent(owner -> onboarding.resendVerification(owner, caller.address()));
            model.addAttribute("resent", true);
        } catch (DomainProblem limited) {
            model.addAttribute("problem", limited);
        }
        model.addAttribute("email", caller.actor());
        return "onboarding/check-email";
    }

    /**
     * The link opens a page with a button, and only the button's POST confirms: mail scanners and
     * link previews follow links by themselves, and must not confirm an address for its owner.
     */
    @GetMapping("/verify")
    String verifyPage(@RequestParam(defaultValue = "") String token, Model model) {
        if (!onboarding.isValidVerification(token)) {
            model.addAttribute("invalid", true);
            return "onboarding/verify-failed";
        }
        model.addAttribute("token", token);
        return "onboarding/verify";
    }

    @PostMapping("/verify")
    String verify(@RequestParam(defaultValue = "") String token, HttpServletRequest request, Model model) {
        if (onboarding.verify(token, request.getRemoteAddr()).isPresent()) {
            return "redirect:/login?verified";
        }
        model.addAttribute("invalid", true);
        return "onboarding/verify-failed";
    }
}
