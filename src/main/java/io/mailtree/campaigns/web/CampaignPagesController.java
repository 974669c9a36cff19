package io.mailtree.campaigns.web;

import io.mailtree.campaigns.Campaigns;
import io.mailtree.shared.Caller;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The campaigns page: each campaign with its state and a progress bar (delivered of its recipients),
 * and the queued and delivered counts. While one is sending, htmx refreshes the table every few seconds.
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
}
