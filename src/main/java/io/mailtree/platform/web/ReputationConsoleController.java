package io.mailtree.platform.web;

import io.mailtree.access.SignedInOperator;
import io.mailtree.accounts.AccountTree;
import io.mailtree.keys.KeyAlerts;
import io.mailtree.keys.KeyPauses;
import io.mailtree.keys.ReputationThresholds;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Ids;
import jakarta.servlet.http.HttpServletRequest;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * D-19 on the operator console: the thresholds with their actions, the minimum volume and the
 * window, beside the published reference points; every key alert with the numbers that triggered
 * it; the keys paused now, each resumed with a reason (audited, D-32).
 */
@Controller
class ReputationConsoleController {

    private final ReputationThresholds thresholds;
    private final KeyAlerts alerts;
    private final KeyPauses pauses;
    private final AccountTree accounts;

    ReputationConsoleController(ReputationThresholds thresholds, KeyAlerts alerts, KeyPauses pauses,
            AccountTree accounts) {
        this.thresholds = thresholds;
        this.alerts = alerts;
        this.pauses = pauses;
        this.accounts = accounts;
    }

    @GetMapping("/platform/reputation")
    String page(@AuthenticationPrincipal SignedInOperator operator, Model model) {
        List<KeyAlerts.Alert> latest = alerts.latest(100);
        List<KeyPauses.Pause> paused = pauses.pausedNow();
        Set<AccountId> ids = new HashSet<>();
        latest.forEach(a -> ids.add(a.account()));
        paused.forEach(p -> ids.add(p.account()));
        model.addAttribute("settings", thresholds.settings());
        model.addAttribute("windows", ReputationThresholds.WINDOWS);
        model.addAttribute("references", ReputationThresholds.REFERENCES);
        model.addAttribute("alerts", latest);
        model.addAttribute("paused", paused);
        model.addAttribute("accountNames", accounts.namesOf(ids));
        model.addAttribute("operator", operator);
        return "platform/reputation";
    }

    @PostMapping("/platform/reputation/thresholds")
    String change(@RequestParam Map<String, String> form, @AuthenticationPrincipal SignedInOperator operator,
            RedirectAttributes redirect) {
        try {
            Map<String, ReputationThresholds.Change> changes = new LinkedHashMap<>();
            for (ReputationThresholds.Threshold threshold : thresholds.settings().thresholds()) {
                String rate = form.get("rate." + threshold.code());
                String action = form.get("action." + threshold.code());
                if (rate != null || action != null) {
                    changes.put(threshold.code(), new ReputationThresholds.Change(
                            decimal(rate == null ? threshold.ratePercent().toPlainString() : rate),
                            action == null ? threshold.action().name() : action));
                }
            }
            thresholds.change(whole(form.get("minimumVolume")), whole(form.get("windowHours")), changes,
                    operator.email());
            redirect.addFlashAttribute("notice", "platform.reputation.saved");
        } catch (DomainProblem problem) {
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
        }
        return "redirect:/platform/reputation";
    }

    @PostMapping("/platform/reputation/keys/{id}/resume")
    String resume(@PathVariable String id, @RequestParam(defaultValue = "") String reason,
            @AuthenticationPrincipal SignedInOperator operator, HttpServletRequest request,
            RedirectAttributes redirect) {
        try {
            var key = Ids.parseUuid(id.strip()).orElseThrow(() -> DomainProblem.notFound("api_key_not_found", "API key"));
            KeyPauses.Pause resumed = pauses.resume(key, reason, operator.email(), request.getRemoteAddr());
            redirect.addFlashAttribute("notice", "platform.reputation.resumed");
            redirect.addFlashAttribute("noticeArg", resumed.keyName());
        } catch (DomainProblem problem) {
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
        }
        return "redirect:/platform/reputation";
    }

    private static BigDecimal decimal(String text) {
        try {
            return new BigDecimal(text.strip().replace(',', '.'));
        } catch (RuntimeException notNumber) {
            throw DomainProblem.invalid("invalid_threshold_rate",
                    "a threshold is a percentage above 0 and at most 100, with at most 3 decimals");
        }
    }

    private static int whole(String text) {
        try {
            return Integer.parseInt(text == null ? "" : text.strip());
        } catch (NumberFormatException notNumber) {
            throw DomainProblem.invalid("invalid_minimum_volume", "the minimum volume is a whole number from 1 to "
                    + ReputationThresholds.MAX_MINIMUM_VOLUME, ReputationThresholds.MAX_MINIMUM_VOLUME);
        }
    }
}
