/**
 * The audit log of D-32: every administrative act, who did it, for which account, in which
 * context (direct, switched, on behalf of, operator), when and from where. Acts are written in the
 * same transaction as the change they describe.
 * <p>Allowed dependencies: {@code shared} only, so that every other module can record into it
 * without a cycle.
 */
@org.springframework.modulith.ApplicationModule(allowedDependencies = {"shared"})
package io.mailtree.audit;
