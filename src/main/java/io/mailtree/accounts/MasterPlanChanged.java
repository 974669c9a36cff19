package io.mailtree.accounts;

import io.mailtree.shared.AccountId;
import java.time.Instant;

/**
 * A master (and with it its whole tree, D-4) moved to another plan, by the operator or by the
 * master's own upgrade. Published in the transaction of the change, so a listener that keeps
 * something derived from the plan (billing's credits) changes it in the same commit.
 */
public record MasterPlanChanged(AccountId master, String fromPlan, String toPlan, Instant at) {
}
