package io.mailtree.notifications.web;

import io.mailtree.notifications.DevMailbox;
import io.mailtree.notifications.MailTransport;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageRequest;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Shows the development mailbox. It exists only while no relay is configured, so a production
 * installation never exposes captured mail.
 */
@Controller
class DevMailboxController {

    private final MailTransport transport;

    DevMailboxController(MailTransport transport) {
        this.transport = transport;
    }

    @GetMapping("/dev/mailbox")
    String mailbox(@RequestParam(required = false) String to, @RequestParam(defaultValue = "0") int page, Model model) {
        if (!(transport instanceof DevMailbox mailbox)) {
            throw DomainProblem.notFound("not_found", "page");
        }
        model.addAttribute("messages", mailbox.messages(to, new PageRequest(page, 50)));
        model.addAttribute("to", to);
        return "dev/mailbox";
    }
}
