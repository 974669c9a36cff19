package io.mailtree.delivery.web;

import io.mailtree.delivery.Senders;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The page a sender's confirmation link opens; it needs no sign-in, the signed link is the proof. */
@Controller
class SenderConfirmationController {

    private final Senders senders;

    SenderConfirmationController(Senders senders) {
        this.senders = senders;
    }

    @GetMapping("/senders/confirm")
    String confirm(@RequestParam(defaultValue = "") String token, Model model) {
        var sender = senders.confirm(token);
        model.addAttribute("confirmed", sender.isPresent());
        sender.ifPresent(s -> model.addAttribute("senderEmail", s.email()));
        return "delivery/sender-confirmed";
    }
}
