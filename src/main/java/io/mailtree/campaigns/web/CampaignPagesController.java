package io.mailtree.campaigns.web;

import io.mailtree.campaigns.Campaign;
import io.mailtree.campaigns.Campaigns;
import io.mailtree.shared.DomainProblem;
import java.util.function.Supplier;
import io.mailtree.shared.Caller;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
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
 * While one is sending, htmx refreshes the table every few seconds.
 */
@Controller
@RequiresPermission(Permission.CAMPAIGNS)
class CampaignPagesController {

    private final Campaigns campaigns;

    CampaignPagesController(Campaigns campaigns) {
        this.campaigns = campaigns;
    }

    @GetMapping("/campaigns")
    String list(Caller caller, @RequestParam(defaultValue = "0") int page,
            @RequestHeader(value = "HX-Request", required = false) String htmx, Model model) {
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
