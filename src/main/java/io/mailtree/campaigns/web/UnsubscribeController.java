package io.mailtree.campaigns.web;

import io.mailtree.campaigns.Unsubscribes;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * The unsubscribe link of campaign mail (ADR 0025), public: the signed token is the proof. GET shows a
 * page with a confirm button, so a mail scanner that follows the link unsubscribes no one; POST
 * unsubscribes, whether it is that button or a mailbox provider's RFC 8058 one-click request
 * ({@code List-Unsubscribe=One-Click}, sent with no cookies and no CSRF token, which is why
 * {@code /u/**} has a security chain of its own without CSRF or session). Neither answers a redirect.
 */
@Controller
class UnsubscribeController {

    private final Unsubscribes unsubscribes;

    UnsubscribeController(Unsubscribes unsubscribes) {
        this.unsubscribes = unsubscribes;
    }

    @GetMapping("/u/{token}")
    String page(@PathVariable String token, Model model) {
        boolean valid = unsubscribes.isValid(token);
        model.addAttribute("pending", valid);
        model.addAttribute("done", false);
        model.addAttribute("token", token);
        if (!valid) {
            throw new InvalidLink();
        }
        return "campaigns/unsubscribe";
    }

    @PostMapping("/u/{token}")
    String unsubscribe(@PathVariable String token, Model model) {
        if (unsubscribes.unsubscribe(token).isEmpty()) {
            throw new InvalidLink();
        }
        model.addAttribute("pending", false);
        model.addAttribute("done", true);
        return "campaigns/unsubscribe";
    }

    /** A forged, altered or expired link: 404, as for any page that does not exist. */
    @ResponseStatus(HttpStatus.NOT_FOUND)
    static final class InvalidLink extends ResponseStatusException {
        InvalidLink() {
            super(HttpStatus.NOT_FOUND, "unsubscribe link not valid");
        }
    }
}
