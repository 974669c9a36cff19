package io.mailtree.campaigns.web;

import io.mailtree.campaigns.Campaign;
import io.mailtree.campaigns.Campaigns;
import io.mailtree.shared.DomainProblem;
import java.util.function.Supplier;
import io.mailtree.shared.Caller;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.mailtree.shared.web.FieldErrors;
import io.mailtree.shared.web.ViewFormat;
import io.mailtree.contacts.ContactLists;
import io.mailtree.content.EmailStatus;
import io.mailtree.content.Emails;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The campaigns page: each campaign with its state and a progress bar (delivered of its recipients),
 * and the queued and delivered counts, with pause, resume and cancel where its state allows them.
 * While one is sending, htmx refreshes the table every few seconds. Above the table, the form that
 * creates a campaign from a draft e-mail and lists, sent now or at a local time in a time zone
 * chosen from a list (the reader's own zone, from the browser, first selected).
 */
@Controller
@RequiresPermission(Permission.CAMPAIGNS)
class CampaignPagesController {

    /** Every IANA region zone, sorted, for the time zone chooser (the legacy aliases left out). */
    private static final List<String> ZONES = ZoneId.getAvailableZoneIds().stream()
            .filter(z -> z.contains("/") && !z.startsWith("Etc/") && !z.startsWith("SystemV/")
                    && Character.isUpperCase(z.charAt(0)))
            .sorted().toList();

    private final Campaigns campaigns;
    private final Emails emails;
    private final ContactLists lists;
    private final ViewFormat format;

    CampaignPagesController(Campaigns campaigns, Emails emails, ContactLists lists, ViewFormat format) {
        this.campaigns = campaigns;
        this.emails = emails;
        this.lists = lists;
        this.format = format;
    }

    /** The values a submitted create form is shown again with. */
    record CreateForm(String emailId, String name, List<String> listIds, String when, String sendAt, String timeZone) {
    }

    @GetMapping("/campaigns")
    String list(Caller caller, @RequestParam(defaultValue = "0") int page,
            @RequestHeader(value = "HX-Request", required = false) String htmx, Model model) {
        if (htmx == null) {
            prepareForm(caller, model, new CreateForm("", "", List.of(), "now", "", format.zone().getId()));
        }
        return page(caller, page, htmx, model);
    }

    /**
     * Creates a campaign from the form. Every wrong field is shown beside it at once (the service
     * checks them all before refusing); a refusal that names no field is shown above the form.
     */
    @PostMapping("/campaigns")
    String create(Caller caller, @RequestParam(defaultValue = "") String emailId,
            @RequestParam(defaultValue = "") String name,
            @RequestParam(name = "listIds", required = false) List<String> listIds,
            @RequestParam(defaultValue = "now") String when, @RequestParam(defaultValue = "") String sendAt,
            @RequestParam(defaultValue = "") String timeZone, Model model, RedirectAttributes redirect) {
        CreateForm form = new CreateForm(emailId, name, listIds == null ? List.of() : listIds, when, sendAt, timeZone);
        FieldErrors errors = new FieldErrors();
        Long email = emailId.isBlank() ? null : errors.check("emailId", () -> id(emailId, "email_not_found", "e-mail"));
        List<Long> listNumbers = new ArrayList<>();
        for (String listId : form.listIds()) {
            Long number = errors.check("listIds", () -> id(listId, "list_not_found", "list"));
            if (number != null) {
                listNumbers.add(number);
            }
        }
        boolean later = "later".equals(when);
        if (later && sendAt.isBlank()) {
            errors.add("sendAt", "invalid_send_at");
        }
        if (!errors.any()) {
            try {
                Campaign created = campaigns.create(caller.accountId(), new Campaigns.CampaignRequest(email, name,
                        listNumbers.isEmpty() ? null : listNumbers, later ? sendAt : null, timeZone));
                redirect.addFlashAttribute("notice", later ? "campaigns.scheduledNotice" : "campaigns.startedNotice");
                redirect.addFlashAttribute("noticeArg", created.name());
                return "redirect:/campaigns";
            } catch (DomainProblem problem) {
                if (!errors.add(problem)) {
                    model.addAttribute("problemCode", problem.code());
                    model.addAttribute("problemArgs", problem.arguments());
                }
            }
        }
        model.addAttribute("fieldErrors", errors);
        prepareForm(caller, model, form);
        return page(caller, 0, null, model);
    }

    private static Long id(String text, String code, String what) {
        try {
            return Long.valueOf(text.strip());
        } catch (NumberFormatException notNumber) {
            throw DomainProblem.notFound(code, what);
        }
    }

    private void prepareForm(Caller caller, Model model, CreateForm form) {
        model.addAttribute("form", form);
        model.addAttribute("drafts", emails.list(caller.accountId(), EmailStatus.DRAFT, new PageRequest(0, 200)).items());
        model.addAttribute("contactLists", lists.list(caller.accountId(), new PageRequest(0, 200)).items());
        List<String> zones = new ArrayList<>(ZONES);
        if (!zones.contains(form.timeZone()) && !form.timeZone().isBlank()) {
            zones.add(0, form.timeZone()); // shown back as typed, beside its error
        }
        if (!zones.contains("UTC")) {
            zones.add(0, "UTC");
        }
        model.addAttribute("zones", zones);
    }

    private String page(Caller caller, int page, String htmx, Model model) {
        var campaignPage = campaigns.list(caller.accountId(), new PageRequest(page, 50))
                .map(c -> campaigns.progress(caller.accountId(), c));
        model.addAttribute("campaigns", campaignPage);
        model.addAttribute("live", campaignPage.items().stream()
                .anyMatch(p -> !p.campaign().status().isFinal() || p.percent() < 100 && p.queued() > 0));
        return htmx != null ? "campaigns/campaigns :: table" : "campaigns/campaigns";
    }

    @PostMapping("/campaigns/{id}/pause")
    String pause(Caller caller, @PathVariable long id, RedirectAttributes redirect) {
        return act(redirect, "campaigns.pausedNotice", () -> campaigns.pause(caller.accountId(), id));
    }

    @PostMapping("/campaigns/{id}/resume")
    String resume(Caller caller, @PathVariable long id, RedirectAttributes redirect) {
        return act(redirect, "campaigns.resumedNotice", () -> campaigns.resume(caller.accountId(), id));
    }

    @PostMapping("/campaigns/{id}/cancel")
    String cancel(Caller caller, @PathVariable long id, RedirectAttributes redirect) {
        return act(redirect, "campaigns.cancelledNotice", () -> campaigns.cancel(caller.accountId(), id));
    }

    /** Runs a transition; a refused one comes back to the page as its readable message, another account's id as 404. */
    private static String act(RedirectAttributes redirect, String notice, Supplier<Campaign> act) {
        try {
            Campaign campaign = act.get();
            redirect.addFlashAttribute("notice", notice);
            redirect.addFlashAttribute("noticeArg", campaign.name());
        } catch (DomainProblem problem) {
            if (problem.status() == 404) {
                throw problem;
            }
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
        }
        return "redirect:/campaigns";
    }
}
