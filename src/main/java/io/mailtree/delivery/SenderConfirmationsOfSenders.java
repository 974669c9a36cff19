package io.mailtree.delivery;

import io.mailtree.content.SenderConfirmations;
import io.mailtree.shared.AccountId;
import org.springframework.stereotype.Component;

/** Content's question about senders, answered from delivery's own {@link Senders}. */
@Component
class SenderConfirmationsOfSenders implements SenderConfirmations {

    private final Senders senders;

    SenderConfirmationsOfSenders(Senders senders) {
        this.senders = senders;
    }

    @Override
    public boolean confirmed(AccountId account, String email) {
        try {
            return senders.isVerified(account, email);
        } catch (io.mailtree.shared.DomainProblem unreadableAddress) {
            // An address that does not normalise is no confirmed sender.
            return false;
        }
    }
}
