package io.mailtree.content.web;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.content.ContentSharing;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageRequest;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import org.springframework.ui.Model;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The "Share with sub-accounts" picker of the template, image and e-mail pages (a master's
 * sub-accounts as checkboxes) and the outcome per target of the last share (D-26, D-27).
 */
@Component
class ShareView {

    private final AccountTree accounts;

    ShareView(AccountTree accounts) {
        this.accounts = accounts;
    }

    /** The sub-accounts a master may share with; none for anyone else (sharing is a master's act). */
    List<Account> targets(Caller caller) {
        if (!caller.master()) {
            return List.of();
        }
        return accounts.subaccounts(caller.accountId(), null, new PageRequest(0, 200)).items();
    }

    void addTargets(Caller caller, Model model) {
        model.addAttribute("shareTargets", targets(caller));
    }

    /** What happened for one target, ready for the page: refusals carry their translation key and arguments. */
    record Outcome(String subaccountId, String name, boolean shared, Long createdId, int images, int attachments,
            String code, String messageKey, Object[] args, String message) {
    }

    List<Outcome> outcomes(Caller caller, List<ContentSharing.Result> results) {
        Map<String, String> names = targets(caller).stream()
                .collect(Collectors.toMap(a -> a.id().toString(), Account::name, (a, b) -> a));
        return results.stream().map(r -> {
            String name = names.getOrDefault(r.subaccountId(), r.subaccountId());
            boolean shared = "shared".equals(r.status());
            Object[] args = "subaccount_inactive".equals(r.code()) ? new Object[] {name} : new Object[0];
            return new Outcome(r.subaccountId(), name, shared, r.createdId(),
                    r.imageIds() == null ? 0 : r.imageIds().size(), r.attachments() == null ? 0 : r.attachments(),
                    r.code(), shared ? null : "problem." + r.code(), args, r.message());
        }).toList();
    }

    /** Puts the outcomes, or the refusal of the whole share, where the next page shows them. */
    void flash(Caller caller, RedirectAttributes redirect, ShareAction action) {
        try {
            redirect.addFlashAttribute("shareResults", outcomes(caller, action.share()));
        } catch (DomainProblem problem) {
            if (problem.status() == 404) {
                throw problem;
            }
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
        }
    }

    /** A share of one kind of content. */
    interface ShareAction {
        List<ContentSharing.Result> share();
    }
}
