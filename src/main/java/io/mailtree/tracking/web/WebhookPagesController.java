package io.mailtree.tracking.web;

import io.mailtree.shared.web.FieldErrors;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.mailtree.tracking.WebhookEndpoint;
import io.mailtree.tracking.WebhookEndpoints;
import io.mailtree.tracking.WebhookEventTypes;
import java.time.Duration;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The webhooks pages: the account's endpoints and a form to add one; per endpoint its settings,
 * its secret and rotation, a test event, and the delivery log (every attempt's status code, time
 * and error). An endpoint disabled because it answered 410 says so.
 */
@Controller
@RequiresPermission(Permission.API_KEYS)
class WebhookPagesController {

    private final WebhookEndpoints endpoints;

    WebhookPagesController(WebhookEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    @GetMapping("/webhooks")
    String list(Caller caller, Model model) {
        prepareList(caller, model);
        return "tracking/webhooks";
    }

    @PostMapping("/webhooks")
    String create(Caller caller, @RequestParam(defaultValue = "") String url,
            @RequestParam(name = "eventType", required = false) List<String> eventTypes,
            @RequestParam(defaultValue = "") String description, Model model, RedirectAttributes redirect) {
        try {
            WebhookEndpoints.Created created = endpoints.create(caller.accountId(), url,
                    eventTypes == null ? List.of() : eventTypes, description);
            redirect.addFlashAttribute("notice", "webhooks.created");
            redirect.addFlashAttribute("noticeArg", created.endpoint().url());
            redirect.addFlashAttribute("newSecret", created.secret());
            return "redirect:/webhooks/" + created.endpoint().id();
        } catch (DomainProblem problem) {
            model.addAttribute("fieldErrors", fieldOf(problem));
            model.addAttribute("url", url);
            model.addAttribute("description", description);
            model.addAttribute("chosen", eventTypes == null ? List.of() : eventTypes);
            prepareList(caller, model);
            return "tracking/webhooks";
        }
    }

    @GetMapping("/webhooks/{id}")
    String show(Caller caller, @PathVariable String id, Model model) {
        prepareEndpoint(caller, endpoints.find(caller.accountId(), id), model);
        return "tracking/webhook";
    }

    @PostMapping("/webhooks/{id}")
    String update(Caller caller, @PathVariable String id, @RequestParam(defaultValue = "") String url,
            @RequestParam(name = "eventType", required = false) List<String> eventTypes,
            @RequestParam(defaultValue = "") String description, @RequestParam(defaultValue = "false") boolean enabled,
            Model model, RedirectAttributes redirect) {
        WebhookEndpoint endpoint = endpoints.find(caller.accountId(), id);
        try {
            endpoints.update(caller.accountId(), id, url, eventTypes == null ? List.of() : eventTypes, description,
                    enabled);
            redirect.addFlashAttribute("notice", "webhooks.saved");
            redirect.addFlashAttribute("noticeArg", url);
            return "redirect:/webhooks/" + endpoint.id();
        } catch (DomainProblem problem) {
            model.addAttribute("fieldErrors", fieldOf(problem));
            prepareEndpoint(caller, endpoint, model);
            // What was typed, not what is stored, so the person corrects rather than retypes.
            model.addAttribute("url", url);
            model.addAttribute("description", description);
            model.addAttribute("chosen", eventTypes == null ? List.of() : eventTypes);
            model.addAttribute("enabled", enabled);
            return "tracking/webhook";
        }
    }

    @PostMapping("/webhooks/{id}/rotate")
    String rotate(Caller caller, @PathVariable String id, @RequestParam(defaultValue = "24") String graceHours,
            RedirectAttributes redirect) {
        WebhookEndpoint endpoint = endpoints.find(caller.accountId(), id);
        try {
            int hours;
            try {
                hours = Integer.parseInt(graceHours.strip());
            } catch (NumberFormatException notNumber) {
                hours = -1;
            }
            if (hours < 0 || hours > 24) {
                throw DomainProblem.invalid("webhook_grace_invalid", "the grace period is between 0 and 24 hours", 24);
            }
            WebhookEndpoints.Created rotated = endpoints.rotateSecret(caller.accountId(), id, Duration.ofHours(hours));
            redirect.addFlashAttribute("notice", "webhooks.rotated");
            redirect.addFlashAttribute("noticeArg", hours);
            redirect.addFlashAttribute("newSecret", rotated.secret());
        } catch (DomainProblem problem) {
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
        }
        return "redirect:/webhooks/" + endpoint.id();
    }

    @PostMapping("/webhooks/{id}/test")
    String test(Caller caller, @PathVariable String id, RedirectAttributes redirect) {
        WebhookEndpoint endpoint = endpoints.find(caller.accountId(), id);
        endpoints.sendTest(caller.accountId(), id);
        redirect.addFlashAttribute("notice", "webhooks.testQueued");
        redirect.addFlashAttribute("noticeArg", endpoint.url());
        return "redirect:/webhooks/" + endpoint.id();
    }

    @PostMapping("/webhooks/{id}/delete")
    String delete(Caller caller, @PathVariable String id, RedirectAttributes redirect) {
        WebhookEndpoint endpoint = endpoints.find(caller.accountId(), id);
        endpoints.delete(caller.accountId(), id);
        redirect.addFlashAttribute("notice", "webhooks.deleted");
        redirect.addFlashAttribute("noticeArg", endpoint.url());
        return "redirect:/webhooks";
    }

    private void prepareList(Caller caller, Model model) {
        model.addAttribute("endpoints", endpoints.list(caller.accountId()));
        model.addAttribute("eventTypes", WebhookEventTypes.SUBSCRIBABLE);
        model.addAttribute("maxEndpoints", WebhookEndpoints.MAX_PER_ACCOUNT);
        if (!model.containsAttribute("chosen")) {
            model.addAttribute("chosen", List.of());
        }
    }

    private void prepareEndpoint(Caller caller, WebhookEndpoint endpoint, Model model) {
        model.addAttribute("endpoint", endpoint);
        model.addAttribute("eventTypes", WebhookEventTypes.SUBSCRIBABLE);
        model.addAttribute("secret", endpoints.secret(caller.accountId(), endpoint.id().toString()));
        model.addAttribute("deliveries", endpoints.deliveries(caller.accountId(), endpoint.id().toString(), 50));
    }

    /** Each refused field beside its input (the event types' box is {@code event-types}). */
    private static FieldErrors fieldOf(DomainProblem problem) {
        FieldErrors errors = new FieldErrors();
        errors.add(problem, field -> "eventTypes".equals(field) ? "event-types" : field, "url");
        return errors;
    }
}
