package io.mailtree.campaigns.api;

import io.mailtree.campaigns.CampaignReport;
import io.mailtree.campaigns.CampaignReports;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/campaigns/{id}/report}: a campaign's report (ADR 0027), the numbers the report page
 * shows; {@code /api/v1/campaigns/subaccounts}: a master's view across its sub-accounts' campaigns
 * (D-25). Another account's campaign answers 404 {@code campaign_not_found}.
 */
@RestController
@RequestMapping("/api/v1/campaigns")
@RequiresPermission(Permission.STATISTICS)
@Tag(name = "Campaigns")
class CampaignReportsApi {

    private final CampaignReports reports;

    CampaignReportsApi(CampaignReports reports) {
        this.reports = reports;
    }

    @GetMapping("/{id}/report")
    @Operation(summary = "A campaign's report: sent, delivered, opens, clicks (per link), unsubscribes, bounces, complaints, by hour")
    CampaignReport report(Caller caller, @PathVariable String id) {
        try {
            return reports.report(caller.accountId(), Long.parseLong(id));
        } catch (NumberFormatException notNumber) {
            throw DomainProblem.notFound("campaign_not_found", "campaign");
        }
    }

    @GetMapping("/subaccounts")
    @Operation(summary = "D-25: the master's sub-accounts' campaigns with their numbers, per e-mail and per sub-account")
    CampaignReports.CrossView acrossSubaccounts(Caller caller) {
        return reports.acrossSubaccounts(caller);
    }
}
