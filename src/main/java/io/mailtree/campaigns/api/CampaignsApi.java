package io.mailtree.campaigns.api;

import io.mailtree.campaigns.Campaign;
import io.mailtree.campaigns.Campaigns;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/campaigns}: send an e-mail to lists now or at a time in a time zone; pause, resume, cancel. */
@RestController
@RequestMapping("/api/v1/campaigns")
@RequiresPermission(Permission.CAMPAIGNS)
@Tag(name = "Campaigns")
class CampaignsApi {

    private final Campaigns campaigns;

    CampaignsApi(Campaigns campaigns) {
        this.campaigns = campaigns;
    }

    @GetMapping
    PageOf<Campaigns.Progress> list(Caller caller, @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        return campaigns.list(caller.accountId(), new PageRequest(page, size))
                .map(c -> campaigns.progress(caller.accountId(), c));
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a campaign: sendAt blank sends now; else a local date-time in timeZone")
    Campaigns.Progress create(Caller caller, @RequestBody Campaigns.CampaignRequest request) {
        return progress(caller, campaigns.create(caller.accountId(), request));
    }

    @GetMapping("/{id}")
    Campaigns.Progress get(Caller caller, @PathVariable String id) {
        return progress(caller, campaigns.get(caller.accountId(), campaignId(id)));
    }

    @PostMapping("/{id}/pause")
    Campaigns.Progress pause(Caller caller, @PathVariable String id) {
        return progress(caller, campaigns.pause(caller.accountId(), campaignId(id)));
    }

    @PostMapping("/{id}/resume")
    Campaigns.Progress resume(Caller caller, @PathVariable String id) {
        return progress(caller, campaigns.resume(caller.accountId(), campaignId(id)));
    }

    @PostMapping("/{id}/cancel")
    Campaigns.Progress cancel(Caller caller, @PathVariable String id) {
        return progress(caller, campaigns.cancel(caller.accountId(), campaignId(id)));
    }

    private Campaigns.Progress progress(Caller caller, Campaign campaign) {
        return campaigns.progress(caller.accountId(), campaign);
    }

    private static long campaignId(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException notNumber) {
            throw DomainProblem.notFound("campaign_not_found", "campaign");
        }
    }
}
