/**
 * What happens to mail after it leaves, as the account's applications and people see it: today the
 * account's webhooks (endpoints with chosen event types, Standard Webhooks signatures with a rotatable
 * {@code whsec_} secret, durable deliveries retried with backoff for 24 hours, a delivery log), later
 * opens, clicks and unsubscribes. Webhook events come from the delivery outcome stream, consumed like
 * every other reaction to mail (ADR 0010, ADR 0015), and from other modules through
 * {@link io.mailtree.tracking.Webhooks#publish}; endpoints that resolve to private networks are
 * refused when saved and again at send time.
 * <p>Allowed dependencies: {@code shared} only, for ids, the caller, permissions, problems, background
 * threads and the outcome stream. Modules that raise account-level events (keys, for its alerts) call
 * {@link io.mailtree.tracking.Webhooks}, so tracking never depends on them.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"shared"})
package io.mailtree.tracking;
