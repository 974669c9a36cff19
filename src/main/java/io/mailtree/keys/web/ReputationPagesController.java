package io.mailtree.keys.web;

import io.mailtree.keys.KeyReputations;
import io.mailtree.keys.ReputationMetric;
import io.mailtree.keys.ReputationThresholds;
import io.mailtree.shared.Caller;
import io.mailtree.shared.Permission;
import io.mailtree.shared.RequiresPermission;
import java.util.List;
import io.mailtree.shared.web.ViewFormat;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/**
 * D-18's pages: a key's reputation (its windows, a chart per rate with the thresholds drawn as
 * lines, why it is paused and the numbers, its alerts), and the reputation of every key of the
 * account and, for a master, of each sub-account.
 */
@Controller
@RequiresPermission(Permission.STATISTICS)
class ReputationPagesController {

    private final KeyReputations reputations;

    private final ViewFormat fmt;

    ReputationPagesController(KeyReputations reputations, ViewFormat fmt) {
        this.reputations = reputations;
        this.fmt = fmt;
    }

    @GetMapping("/keys/{id}/reputation")
    String key(Caller caller, @PathVariable String id, Model model) {
        // The chart's days are the reader's calendar days, as every date on the pages is.
        KeyReputations.Report report = reputations.report(caller, id, fmt.zone());
        model.addAttribute("report", report);
        model.addAttribute("windows", KeyReputations.WINDOWS);
        model.addAttribute("charts", List.of(
                ReputationChart.of(ReputationMetric.HARD_BOUNCE, report.days(), report.settings().thresholds(), fmt.zone()),
                ReputationChart.of(ReputationMetric.COMPLAINT, report.days(), report.settings().thresholds(), fmt.zone())));
        model.addAttribute("references", ReputationThresholds.REFERENCES);
        return "keys/reputation";
    }

    @GetMapping("/keys/reputation")
    String summary(Caller caller, Model model) {
        model.addAttribute("rows", reputations.summary(caller));
        return "keys/reputation-summary";
    }
}
