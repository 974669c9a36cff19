/**
 * Billing (D-2, D-3, D-4, D-31, ADR 0028): one subscription per master whose credits its whole tree
 * draws on; the credits as one counter row per master reserved at accept through delivery's
 * {@link io.mailtree.delivery.SendingAllowance} port, with the master's optional monthly caps per
 * sub-account; metering of what the relay took as a consumer of the delivery outcome stream, once
 * per message; alerts at 80 % and 100 %; and invoices per period, one per master with a line per
 * account, numbered without gaps and immutable once issued (HTML, PDF, CSV).
 * <p>Allowed dependencies, and why: {@code accounts} for the tree (whose master pays, D-4), the plan
 * catalog and the plan changes; {@code delivery} only for the {@code SendingAllowance} port it
 * implements (delivery does not know billing); {@code audit} for the administrative acts (plan
 * changes, caps, top-ups, prices, invoices, credit notes, D-32); {@code notifications} for the alert
 * e-mails; {@code shared} for ids, the caller, problems, the owners' addresses and the outcome stream.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"accounts", "delivery", "audit", "notifications", "shared"})
package io.mailtree.billing;
