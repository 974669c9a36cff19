/**
 * The delivery outcome stream as modules consume it (ADR 0010): the event type, the reader that
 * delivery provides, and the runner that gives every consumer a durable position, batches, a
 * transaction that commits the effect with the position, retries with backoff and lag metrics.
 * It lives in {@code shared} so that delivery writes the stream and {@code contacts}, {@code accounts}
 * and later modules consume it without any of them depending on another.
 */
package io.mailtree.shared.outcomes;
