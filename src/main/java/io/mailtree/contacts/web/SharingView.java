package io.mailtree.contacts.web;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.contacts.Sharing;
import io.mailtree.shared.Caller;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.RefusalArguments;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import org.springframework.ui.Model;

/**
 * The "Share with sub-accounts" picker of the list and test-recipient pages (a master's sub-accounts
 * as checkboxes) and the per-target outcome, with the numbers of a refusal (D-11, D-26, D-28).
 */
@Component
class SharingView {

    private final AccountTree accounts;

    SharingView(AccountTree accounts) {
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

    /** What happened for one target, ready for the page: refusals carry their translation arguments. */
    record Outcome(String subaccountId, String name, boolean shared, Integer copied, Long listId, String code,
            String messageKey, Object[] args, String message) {
    }

    List<Outcome> outcomes(Caller caller, List<Sharing.Result> results) {
        Map<String, String> names = targets(caller).stream()
                .collect(Collectors.toMap(a -> a.id().toString(), Account::name, (a, b) -> a));
        return results.stream().map(r -> {
            String name = names.getOrDefault(r.subaccountId(), r.subaccountId());
            boolean shared = "shared".equals(r.status());
            Object[] args = shared ? new Object[0] : arguments(r, name);
            String key = shared || args == null ? null
                    : "contact_allowance_exceeded".equals(r.code()) ? "share.allowanceRefused" : "problem." + r.code();
            return new Outcome(r.subaccountId(), name, shared, r.copied(), r.listId(), r.code(), key,
                    args == null ? new Object[0] : args, r.message());
        }).toList();
    }

    /**
     * The arguments of a refusal's translated message, taken by name from those the result carries
     * (never read back from its English message); null when they are missing, and the English
     * message is shown instead.
     */
    private static Object[] arguments(Sharing.Result result, String name) {
        if ("contact_allowance_exceeded".equals(result.code())) {
            return RefusalArguments.positional(result.arguments(), "requested", "available");
        }
        if ("subaccount_inactive".equals(result.code())) {
            return new Object[] {name};
        }
        return new Object[0];
    }
}
