package io.mailtree.campaigns.web;

import io.mailtree.accounts.sharing.SharePicker;
import io.mailtree.campaigns.CampaignReport;
import io.mailtree.campaigns.CampaignReports;
import io.mailtree.content.Email;
import io.mailtree.content.Emails;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;

/**
 * A campaign's report page (ADR 0027): the numbers, a chart of what recipients did and one of what
 * became of the mail, hour by hour, the clicks per link, the CSV export, and the share of the e-mail
 * with sub-accounts (D-27, its third place). While the campaign is live htmx refreshes the figures.
 * A master also sees its sub-accounts' campaigns here (D-25): {@code /campaigns/subaccounts} and each
 * one's report. Another account's campaign answers 404.
 */
@Controller
@RequiresPermission(Permission.STATISTICS)
class CampaignReportPagesController {

    private final CampaignReports reports;
    private final Emails emails;
    private final SharePicker sharePicker;

    CampaignReportPagesController(CampaignReports reports, Emails emails, SharePicker sharePicker) {
        this.reports = reports;
        this.emails = emails;
        this.sharePicker = sharePicker;
    }

    @GetMapping("/campaigns/{id}/report")
    String report(Caller caller, @PathVariable String id,
            @RequestHeader(value = "HX-Request", required = false) String htmx, Model model) {
        CampaignReport report = reports.report(caller.accountId(), campaignId(id));
        show(model, report, "/campaigns/" + report.campaign().id() + "/report");
        Email email = email(caller.accountId(), report.campaign().emailId());
        model.addAttribute("shareable", email != null && email.isShareable());
        model.addAttribute("email", email);
        sharePicker.addTargets(caller, model);
        return htmx != null ? "campaigns/report :: figures" : "campaigns/report";
    }

    @GetMapping("/campaigns/{id}/report.csv")
    ResponseEntity<byte[]> csv(Caller caller, @PathVariable String id) {
        return csv(reports.report(caller.accountId(), campaignId(id)));
    }

    @GetMapping("/campaigns/subaccounts")
    String acrossSubaccounts(Caller caller, Model model) {
        model.addAttribute("view", reports.acrossSubaccounts(caller));
        return "campaigns/subaccounts";
    }

    @GetMapping("/campaigns/subaccounts/{account}/{id}/report")
    String subaccountReport(Caller caller, @PathVariable String account, @PathVariable String id,
            @RequestHeader(value = "HX-Request", required = false) String htmx, Model model) {
        AccountId sub = accountId(account);
        CampaignReport report = reports.subaccountReport(caller, sub, campaignId(id));
        show(model, report, "/campaigns/subaccounts/" + sub.value() + "/" + report.campaign().id() + "/report");
        model.addAttribute("shareable", false);
        model.addAttribute("subaccount", true);
        return htmx != null ? "campaigns/report :: figures" : "campaigns/report";
    }

    @GetMapping("/campaigns/subaccounts/{account}/{id}/report.csv")
    ResponseEntity<byte[]> subaccountCsv(Caller caller, @PathVariable String account, @PathVariable String id) {
        return csv(reports.subaccountReport(caller, accountId(account), campaignId(id)));
    }

    private static void show(Model model, CampaignReport report, String self) {
        model.addAttribute("report", report);
        model.addAttribute("charts", java.util.List.of(ReportChart.engagement(report.hours()),
                ReportChart.delivery(report.hours())));
        long most = report.links().stream().mapToLong(CampaignReport.LinkClicks::clicksTotal).max().orElse(0);
        model.addAttribute("mostClicks", Math.max(most, 1));
        model.addAttribute("self", self);
        model.addAttribute("live", !report.campaign().status().isFinal());
    }

    private static ResponseEntity<byte[]> csv(CampaignReport report) {
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename("campaign-" + report.campaign().id() + "-report.csv").build().toString())
                .body(CampaignReports.csv(report).getBytes(StandardCharsets.UTF_8));
    }

    private Email email(AccountId account, long emailId) {
        try {
            return emails.get(account, emailId);
        } catch (DomainProblem gone) {
            return null; // the e-mail was deleted since: the report stands, the share is not offered
        }
    }

    private static long campaignId(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException notNumber) {
            throw DomainProblem.notFound("campaign_not_found", "campaign");
        }
    }

    private static AccountId accountId(String text) {
        try {
            return new AccountId(UUID.fromString(text));
        } catch (IllegalArgumentException notUuid) {
            throw DomainProblem.notFound("campaign_not_found", "campaign");
        }
    }
}
