package io.mailtree.delivery.web;

import io.mailtree.delivery.Senders;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The page a sender's confirmation link opens; it needs no sign-in, the signed link is the proof.
 * Opening the link only shows a button: the confirmation is its POST (with a CSRF token), so a
 * mail scanner or link preview that follows the link confirms nothing.
 */
@Controller
class SenderConfirmationController {

    private final Senders senders;

    SenderConfirmationController(Senders senders) {
        this.senders = senders;
    }

    @GetMapping("/senders/confirm")
    String page(@RequestParam(defaultValue = "") String token, Model model) {
        var sender = senders.senderOfLink(token);
        model.addAttribute("confirmed", false);
        model.addAttribute("pending", sender.isPresent());
        model.addAttribute("token", token);
        sender.ifPresent(s -> model.addAttribute("senderEmail", s.email()));
        return "delivery/sender-confirmed";
    }

    @PostMapping("/senders/confirm")
    String confirm(@RequestParam(defaultValue = "") String token, Model model) {
        var sender = senders.confirm(token);
        model.addAttribute("confirmed", sender.isPresent());
        model.addAttribute("pending", false);
        sender.ifPresent(s -> model.addAttribute("senderEmail", s.email()));
        return "delivery/sender-confirmed";
    }
}
