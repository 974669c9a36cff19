package io.mailtree.delivery;

import io.mailtree.keys.KeySendingPaused;
import io.mailtree.keys.KeySendingResumed;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * D-19: a paused key's queued mail is held, never lost, in the pause's transaction; the operator's
 * resume releases it, due at once (ADR 0017). Only that key's mail: the account's other keys go on
 * (D-20).
 */
@Component
class KeyPauseHolds {

    private final MessageHolds holds;

    KeyPauseHolds(MessageHolds holds) {
        this.holds = holds;
    }

    @EventListener
    void on(KeySendingPaused paused) {
        holds.holdKey(paused.key(), "the API key is paused: its deliverability crossed a threshold");
    }

    @EventListener
    void on(KeySendingResumed resumed) {
        holds.releaseKey(resumed.key(), "the operator resumed the API key");
    }
}
