package io.mailtree.accounts.sharing;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.RefusalArguments;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import org.springframework.ui.Model;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The view model of the "Share with sub-accounts" picker that the list, test-recipient, template,
 * image and e-mail pages show through the {@code sharing :: picker} fragment: a master's
 * sub-accounts as checkboxes ({@code shareTargets}) and the outcome per target of the last share
 * ({@code shareResults}), refusals with the arguments their translated sentence needs (D-11, D-26 …
 * D-28).
 */
@Component
public class SharePicker {

    /** How many sub-accounts the picker lists. */
    static final int TARGETS_SHOWN = 200;

    private final AccountTree tree;

    SharePicker(AccountTree tree) {
        this.tree = tree;
    }

    /** The sub-accounts a master may share with; none for anyone else (sharing is a master's act). */
    public List<Account> targets(Caller caller) {
        if (!caller.master()) {
            return List.of();
        }
        return tree.subaccounts(caller.accountId(), null, new PageRequest(0, TARGETS_SHOWN)).items();
    }

    /** Puts the picker's sub-accounts on the page. */
    public void addTargets(Caller caller, Model model) {
        model.addAttribute("shareTargets", targets(caller));
    }

    /**
     * What happened for one target, ready for the page: the target's name, what the copy created
     * and, for a refusal, the message key and arguments of its sentence (the English message is
     * the fallback when a refusal lacks its arguments).
     */
    public record Outcome(String subaccountId, String name, boolean shared, Long createdId, int copied, int images,
            int attachments, String code, String messageKey, Object[] args, String message) {
    }

    public List<Outcome> outcomes(Caller caller, List<ShareResult> results) {
        Map<String, String> names = targets(caller).stream()
                .collect(Collectors.toMap(a -> a.id().toString(), Account::name, (a, b) -> a));
        return results.stream().map(r -> {
            String name = names.getOrDefault(r.subaccountId(), r.subaccountId());
            Object[] args = r.shared() ? new Object[0] : arguments(r, name);
            String key = r.shared() || args == null ? null
                    : "contact_allowance_exceeded".equals(r.code()) ? "share.allowanceRefused" : "problem." + r.code();
            return new Outcome(r.subaccountId(), name, r.shared(), r.createdId(),
                    r.copied() == null ? 0 : r.copied(), r.imageIds() == null ? 0 : r.imageIds().size(),
                    r.attachments() == null ? 0 : r.attachments(), r.code(), key, args == null ? new Object[0] : args,
                    r.message());
        }).toList();
    }

    /**
     * Runs a share from a page and puts its outcomes where the page it redirects to shows them; a
     * refusal of the whole share (no target chosen, too many) becomes the page's problem message.
     * A source that is not the caller's still answers 404.
     */
    public void flash(Caller caller, RedirectAttributes redirect, Supplier<List<ShareResult>> share) {
        try {
            redirect.addFlashAttribute("shareResults", outcomes(caller, share.get()));
        } catch (DomainProblem problem) {
            if (problem.status() == 404) {
                throw problem;
            }
            redirect.addFlashAttribute("problemCode", problem.code());
            redirect.addFlashAttribute("problemArgs", problem.arguments());
        }
    }

    /**
     * The arguments of a refusal's translated message, taken by name from those the result carries
     * (never read back from its English message); null when they are missing, and the English
     * message is shown instead.
     */
    private static Object[] arguments(ShareResult result, String name) {
        if ("contact_allowance_exceeded".equals(result.code())) {
            return RefusalArguments.positional(result.arguments(), "requested", "available");
        }
        if ("subaccount_inactive".equals(result.code())) {
            return new Object[] {name};
        }
        return new Object[0];
    }
}
