package io.mailtree.access.web;

import io.mailtree.access.SignedInUser;
import io.mailtree.access.TwoFactor;
import io.mailtree.access.TwoFactorPending;
import io.mailtree.access.User;
import io.mailtree.access.Users;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
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
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Two-factor sign-in (ADR 0019): a person's own page to turn it on (QR code, a confirming code,
 * recovery codes shown once) or off, the owner's requirement for everyone with access to their
 * account, and the sign-in's second step. A person's own setting: no permission is needed.
 */
@Controller
class TwoFactorController {

    private final TwoFactor twoFactor;
    private final Users users;
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();

    TwoFactorController(TwoFactor twoFactor, Users users) {
        this.twoFactor = twoFactor;
        this.users = users;
    }

    @GetMapping("/profile/two-factor")
    String page(Caller caller, Model model) {
        requirePerson(caller);
        model.addAttribute("enabled", twoFactor.isEnabled(caller.userId()));
        model.addAttribute("since", twoFactor.enabledSince(caller.userId()).orElse(null));
        model.addAttribute("recoveryLeft", twoFactor.recoveryCodesLeft(caller.userId()));
        model.addAttribute("mayRequire", twoFactor.mayRequire(caller));
        model.addAttribute("required", twoFactor.required(caller.principalAccount()));
        return "access/two-factor";
    }

    @PostMapping("/profile/two-factor/start")
    String start(Caller caller, Model model, RedirectAttributes redirect) {
        requirePerson(caller);
        try {
            model.addAttribute("enrolment", twoFactor.start(caller));
            return "access/two-factor-enrol";
        } catch (DomainProblem problem) {
            redirect.addFlashAttribute("problem", problem);
            return "redirect:/profile/two-factor";
        }
    }

    @PostMapping("/profile/two-factor/confirm")
    String confirm(Caller caller, @RequestParam(defaultValue = "") String code, Model model,
            RedirectAttributes redirect) {
        requirePerson(caller);
        try {
            model.addAttribute("recoveryCodes", twoFactor.confirm(caller, code));
            return "access/two-factor-recovery";
        } catch (DomainProblem problem) {
            // A wrong code: the same enrolment again, with a fresh QR code of a fresh secret.
            redirect.addFlashAttribute("problem", problem);
            return "redirect:/profile/two-factor";
        }
    }

    @PostMapping("/profile/two-factor/disable")
    String disable(Caller caller, @RequestParam(defaultValue = "") String code, RedirectAttributes redirect) {
        requirePerson(caller);
        try {
            twoFactor.disable(caller, code);
            redirect.addFlashAttribute("notice", "twoFactor.disabled");
        } catch (DomainProblem problem) {
            redirect.addFlashAttribute("problem", problem);
        }
        return "redirect:/profile/two-factor";
    }

    @PostMapping("/profile/two-factor/requirement")
    String requirement(Caller caller, @RequestParam(defaultValue = "false") boolean required,
            RedirectAttributes redirect) {
        requirePerson(caller);
        try {
            twoFactor.require(caller, required);
            redirect.addFlashAttribute("notice", required ? "twoFactor.nowRequired" : "twoFactor.noLongerRequired");
        } catch (DomainProblem problem) {
            if (problem.status() == 403) {
                throw problem;
            }
            redirect.addFlashAttribute("problem", problem);
        }
        return "redirect:/profile/two-factor";
    }

    @GetMapping("/login/code")
    String codeForm() {
        return "access/login-code";
    }

    /**
     * The sign-in's second step. A right code completes the sign-in under a new session id (the
     * privilege changes); a wrong one counts in the throttle.
     */
    @PostMapping("/login/code")
    String code(@RequestParam(defaultValue = "") String code, HttpServletRequest request,
            HttpServletResponse response, Model model) {
        Authentication pending = SecurityContextHolder.getContext().getAuthentication();
        if (!TwoFactorPending.is(pending) || !(pending.getPrincipal() instanceof SignedInUser signedIn)) {
            return "redirect:/login";
        }
        Optional<User> user = users.find(signedIn.userId());
        if (user.isEmpty()) {
            return "redirect:/login";
        }
        TwoFactor.Check check = twoFactor.signIn(user.get(), code, request.getRemoteAddr());
        if (check == TwoFactor.Check.WRONG || check == TwoFactor.Check.THROTTLED) {
            model.addAttribute("codeError", check == TwoFactor.Check.THROTTLED ? "login.error.throttled" : "twoFactor.codeWrong");
            return "access/login-code";
        }
        request.changeSessionId();
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new UsernamePasswordAuthenticationToken(signedIn, null,
                List.of(new SimpleGrantedAuthority("ROLE_USER"))));
        SecurityContextHolder.setContext(context);
        contexts.saveContext(context, request, response);
        return check == TwoFactor.Check.RECOVERY_CODE_ACCEPTED ? "redirect:/profile/two-factor?recoveryUsed" : "redirect:/home";
    }

    private static void requirePerson(Caller caller) {
        if (caller.userId() == null) {
            throw DomainProblem.forbidden("people_only", "two-factor sign-in is a person's setting");
        }
    }
}
