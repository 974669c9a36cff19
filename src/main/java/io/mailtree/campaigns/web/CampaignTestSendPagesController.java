package io.mailtree.campaigns.web;

import io.mailtree.campaigns.CampaignTestSends;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import java.util.Arrays;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The test send button of the campaigns page (ADR 0031): the addresses typed in (separated by commas,
 * spaces or lines) and, when ticked, the account's test recipients. A refusal comes back to the page
 * as its readable message; another account's campaign answers 404.
 */
@Controller
@RequiresPermission(Permission.CAMPAIGNS)
class CampaignTestSendPagesController {

    private final CampaignTestSends tests;

    CampaignTestSendPagesController(CampaignTestSends tests) {
        this.tests = tests;
    }

    @PostMapping("/campaigns/{id}/test")
    String test(Caller caller, @PathVariable long id, @RequestParam(defaultValue = "") String addresses,
            @RequestParam(defaultValue = "false") boolean testRecipients, RedirectAttributes redirect) {
        List<String> typed = Arrays.stream(addresses.split("[,;\\s]+")).filter(a -> !a.isBlank()).toList();
        try {
            CampaignTestSends.TestSendResult sent = tests.send(caller.accountId(), id,
                    new CampaignTestSends.TestSendRequest(typed, testRecipients));
            redirect.addFlashAttribute("notice", "campaigns.testSentNotice");
            redirect.addFlashAttribute("noticeArg", String.join(", ", sent.recipients()));
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
