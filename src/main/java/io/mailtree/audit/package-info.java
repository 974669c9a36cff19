/**
 * The audit log of D-32: every administrative act, who did it, for which account, in which
 * context (direct, switched, on behalf of, operator), when and from where. Acts are written in the
 * same transaction as the change they describe. Depends only on {@code shared}, so every module
 * can record into it.
 */
package io.mailtree.audit;
