package io.mailtree.accounts.sharing;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.SubaccountInactive;
import io.mailtree.accounts.SubaccountNotFound;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * D-26: the fan-out of a master's share. It resolves the chosen sub-accounts, then runs the copy into
 * each in a transaction of its own, so a target refused (not the master's, inactive, or by the copy
 * itself, such as D-11's allowance) gets its refusal while the others proceed. What is copied is the
 * caller's: {@code contacts} copies lists and test recipients, {@code content} templates, images and
 * e-mails.
 */
@Service
public class SubaccountShares {

    /** The most sub-accounts one share may name. */
    public static final int MAX_TARGETS = 100;

    private final AccountTree tree;
    private final TransactionTemplate eachInItsOwnTransaction;

    SubaccountShares(AccountTree tree, PlatformTransactionManager transactionManager) {
        this.tree = tree;
        this.eachInItsOwnTransaction = new TransactionTemplate(transactionManager);
    }

    /**
     * Runs {@code copy} into each of the caller's sub-accounts named by {@code subaccountIds}, for a
     * master only. Answers one result per distinct target, in the order given: the copy's, or the
     * target's refusal.
     *
     * @throws DomainProblem when no target or more than {@link #MAX_TARGETS} are named (nothing is copied)
     */
    public List<ShareResult> shareToEach(Caller caller, List<String> subaccountIds, Function<Account, ShareResult> copy) {
        List<ShareResult> results = new ArrayList<>();
        for (Target target : targets(caller, subaccountIds)) {
            if (target.refusal() != null) {
                results.add(ShareResult.refused(target.requestedId(), target.refusal()));
                continue;
            }
            try {
                results.add(eachInItsOwnTransaction.execute(status -> copy.apply(target.subaccount())));
            } catch (DomainProblem refusal) {
                results.add(ShareResult.refused(target.requestedId(), refusal));
            }
        }
        return results;
    }

    /** A sub-account a master shares with, or why that id cannot receive a share. */
    private record Target(String requestedId, Account subaccount, DomainProblem refusal) {
    }

    /**
     * Resolves the sub-accounts a master shares with, in the order given and once each. Ids that
     * are not the master's active sub-accounts come back with their refusal, so one bad target never
     * stops the others.
     */
    private List<Target> targets(Caller caller, List<String> subaccountIds) {
        caller.requireMaster();
        if (subaccountIds == null || subaccountIds.isEmpty()) {
            throw DomainProblem.invalid("no_targets", "choose at least one sub-account").with("field", "subaccountIds");
        }
        if (subaccountIds.size() > MAX_TARGETS) {
            throw DomainProblem.invalid("too_many_targets", "at most " + MAX_TARGETS + " sub-accounts at once",
                    MAX_TARGETS);
        }
        return new LinkedHashSet<>(subaccountIds).stream().map(id -> {
            try {
                Account sub = tree.subaccount(caller.accountId(), AccountId.parse(id).orElseThrow(SubaccountNotFound::new));
                if (!sub.isActive()) {
                    throw new SubaccountInactive(sub.name());
                }
                return new Target(id, sub, null);
            } catch (DomainProblem refused) {
                return new Target(id, null, refused);
            }
        }).toList();
    }
}
