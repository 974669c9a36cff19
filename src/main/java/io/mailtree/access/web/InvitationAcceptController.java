package io.mailtree.access.web;

import io.mailtree.access.Invitations;
import io.mailtree.shared.DomainProblem;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The page an invitation link opens (D-21). Opening it changes nothing (mail scanners follow
 * links); the person presses the button: a new person with a name and a password, someone who
 * already signs in to Mailtree with one click, after which the account joins their list.
 */
@Controller
class InvitationAcceptController {

    private final Invitations invitations;

    InvitationAcceptController(Invitations invitations) {
        this.invitations = invitations;
    }

    @GetMapping("/invitations/accept")
    String form(@RequestParam(defaultValue = "") String token, Model model) {
        return prepare(token, model);
    }

    @PostMapping("/invitations/accept")
    String accept(@RequestParam(defaultValue = "") String token, @RequestParam(required = false) String name,
            @RequestParam(required = false) String password, HttpServletRequest request, Model model) {
        try {
            if (invitations.accept(token, name, password, request.getRemoteAddr()).isPresent()) {
                return "redirect:/login?invitationAccepted";
            }
        } catch (DomainProblem problem) {
            model.addAttribute("problem", problem);
            model.addAttribute("name", name);
        }
        return prepare(token, model);
    }

    private String prepare(String token, Model model) {
        Optional<Invitations.Invitation> invitation = invitations.byLink(token);
        model.addAttribute("token", token);
        model.addAttribute("valid", invitation.isPresent());
        invitation.ifPresent(i -> {
            model.addAttribute("invitation", i);
            model.addAttribute("accountName", invitations.accountName(i));
            model.addAttribute("existing", invitations.inviteeExists(i));
        });
        return "access/accept-invitation";
    }
}
