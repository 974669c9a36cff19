package io.mailtree.campaigns.api;

import io.mailtree.campaigns.CampaignTestSends;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/campaigns/{id}/test}: a campaign's test send (ADR 0031) to typed addresses and/or
 * the account's test recipients, marked {@code [Test]} and not counted in the report. Another
 * account's campaign answers 404 {@code campaign_not_found}.
 */
@RestController
@RequestMapping("/api/v1/campaigns")
@RequiresPermission(Permission.CAMPAIGNS)
@Tag(name = "Campaigns")
class CampaignTestSendsApi {

    private final CampaignTestSends tests;

    CampaignTestSendsApi(CampaignTestSends tests) {
        this.tests = tests;
    }

    @PostMapping("/{id}/test")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Send the campaign's e-mail as a test: to addresses (at most 10) and/or the test recipients")
    CampaignTestSends.TestSendResult test(Caller caller, @PathVariable String id,
            @RequestBody(required = false) CampaignTestSends.TestSendRequest request) {
        long campaignId;
        try {
            campaignId = Long.parseLong(id);
        } catch (NumberFormatException notNumber) {
            throw DomainProblem.notFound("campaign_not_found", "campaign");
        }
        return tests.send(caller.accountId(), campaignId, request);
    }
}
