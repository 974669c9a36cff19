package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The SMTP-outcome classifier over the reply codes of RFC 5321 and the RFC 3463 enhanced codes,
 * with the exceptions the relay's connection ({@code notifications.RelayConnection}) really throws: a whole-transaction failure rethrown
 * as Angus raised it, or a {@link SendFailedException} listing the recipients sent, to try again and
 * refused, with each refusal's reply code chained as an {@link SMTPAddressFailedException}.
 */
class SmtpOutcomesTests {

    private static final List<String> ONE = List.of("ann@example.org");
    private static final List<String> TWO = List.of("ann@example.org", "bob@example.org");

    @Test
    void noFailureIsDelivered() {
        assertThat(SmtpOutcomes.classify(TWO, null)).isEqualTo(new SmtpOutcome.Delivered());
        assertThat(SmtpOutcomes.classify(TWO, null).hardBounced()).isEmpty();
    }

    /** What a refusal comes to for the recipient. */
    enum Fate { RETRY, HARD, POLICY }

    /** A refusal of one recipient at RCPT (or of its copy after DATA), as RelayConnection reports it. */
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        // 4xx: transient (RFC 5321 §4.2.1), whatever the enhanced code says
        "421, 4.4.2 connection dropped, RETRY",
        "450, 4.2.1 mailbox unavailable, RETRY",
        "451, 4.3.0 local error, RETRY",
        "452, 4.2.2 mailbox full, RETRY",
        "452, 4.5.3 too many recipients, RETRY",
        "450, 5.1.1 user unknown, RETRY",
        "451, 4.7.1 greylisted, RETRY",
        // 5xx about the address: permanent, the address is suppressed
        "550, 5.1.1 user unknown, HARD",
        "551, 5.1.6 user not local, HARD",
        "553, 5.1.3 bad address syntax, HARD",
        "550, 5.2.1 mailbox disabled, HARD",
        "550, user unknown (no enhanced code), HARD",
        // 5xx the RFCs call usually temporary: mailbox full (RFC 3463 §3.3), too many recipients (RFC 5321 §4.5.3.1.10)
        "552, 5.2.2 mailbox full, RETRY",
        "550, 4.2.2 mailbox full, RETRY",
        "552, 5.5.3 too many recipients, RETRY",
        // 5.7.x: a refusal of our message by policy, not of the address (RFC 3463 §3.8)
        "554, 5.7.1 refused by policy, POLICY",
        "550, 5.7.26 DMARC policy, POLICY",
        "550, 5.7.350 remote server returned message detected as spam, POLICY",
    })
    void aRefusedRecipientBouncesOnAPermanentReplyAndOnlyItsAddressIsSuppressed(int code, String text, Fate fate)
            throws Exception {
        String reply = code + " " + text;
        SmtpOutcome outcome = SmtpOutcomes.classify(ONE, partly(List.of(), List.of(), refusal("ann@example.org", code, reply)));
        SmtpOutcome.Partly partly = (SmtpOutcome.Partly) outcome;
        assertThat(partly.sent()).isEmpty();
        switch (fate) {
            case RETRY -> {
                assertThat(partly.bounced()).isEmpty();
                assertThat(partly.retry()).containsExactly("ann@example.org");
                assertThat(outcome.hardBounced()).isEmpty();
            }
            case HARD, POLICY -> {
                assertThat(partly.bounced()).extracting(SmtpOutcome.Refusal::recipient).containsExactly("ann@example.org");
                assertThat(partly.bounced().get(0).diagnostic()).startsWith(code + " ");
                assertThat(partly.bounced().get(0).policy()).isEqualTo(fate == Fate.POLICY);
                assertThat(partly.retry()).isEmpty();
                assertThat(outcome.hardBounced()).isEqualTo(fate == Fate.HARD ? List.of("ann@example.org") : List.of());
            }
        }
    }

    /** The whole message refused after DATA, rethrown as Angus raised it. */
    @ParameterizedTest(name = "{0} {1} after DATA -> {2}")
    @CsvSource({
        "421, 4.3.2 shutting down, RETRY",
        "451, 4.7.1 greylisted, RETRY",
        "452, 4.3.1 insufficient storage, RETRY",
        "552, 5.2.2 mailbox full, RETRY",
        "552, 5.3.4 message too big, HARD",
        "554, 5.7.1 spam, POLICY",
        "550, 5.7.1 policy, POLICY",
    })
    void aMessageRefusedAfterDataBouncesEveryRecipientOnAPermanentReply(int code, String text, Fate fate) throws Exception {
        String reply = code + " " + text;
        SmtpOutcome outcome = SmtpOutcomes.classify(TWO, new SMTPSendFailedException("DATA", code, reply, null,
                new Address[0], addresses(TWO), new Address[0]));
        if (fate == Fate.RETRY) {
            assertThat(outcome).isEqualTo(new SmtpOutcome.Deferred(reply, false));
            return;
        }
        SmtpOutcome.Bounced bounced = (SmtpOutcome.Bounced) outcome;
        boolean policy = fate == Fate.POLICY;
        assertThat(bounced.refusals()).containsExactly(
                new SmtpOutcome.Refusal("ann@example.org", code + " " + reply, policy),
                new SmtpOutcome.Refusal("bob@example.org", code + " " + reply, policy));
        assertThat(bounced.reason()).isEqualTo(reply);
        assertThat(outcome.hardBounced()).isEqualTo(policy ? List.of() : TWO);
    }

    @Test
    void anEnhancedCodeIsReadFromTheTextButNotFromAnAddressOrANumberThatLooksLikeOne() {
        assertThat(EnhancedStatus.in("550 5.7.1 refused")).contains(new EnhancedStatus(5, 7, 1));
        assertThat(EnhancedStatus.in("550-5.7.26 Unauthenticated email")).contains(new EnhancedStatus(5, 7, 26));
        assertThat(EnhancedStatus.in("550 no such user 10.5.7.1")).isEmpty();
        assertThat(EnhancedStatus.in("550 v1.5.7.1 build")).isEmpty();
        assertThat(EnhancedStatus.in("550 refused")).isEmpty();
        assertThat(EnhancedStatus.in(null)).isEmpty();
    }

    @Test
    void aPermanentlyRefusedSenderFailsTheMessageWithoutBouncingAnyRecipient() throws Exception {
        SmtpOutcome outcome = SmtpOutcomes.classify(TWO, new SMTPSenderFailedException(
                new InternetAddress("bounces@mailtree.test"), "MAIL FROM", 550, "550 5.7.1 sender rejected"));
        assertThat(outcome).isEqualTo(new SmtpOutcome.SenderRefused("550 5.7.1 sender rejected"));
        assertThat(outcome.hardBounced()).isEmpty();
    }

    @Test
    void aTemporarilyRefusedSenderIsRetried() throws Exception {
        SmtpOutcome outcome = SmtpOutcomes.classify(TWO, new SMTPSenderFailedException(
                new InternetAddress("bounces@mailtree.test"), "MAIL FROM", 451, "451 4.7.1 try later"));
        assertThat(outcome).isEqualTo(new SmtpOutcome.Deferred("451 4.7.1 try later", false));
    }

    @Test
    void connectionRefusedTimeoutAndTlsFailureAreRetriedAsExpectedFailures() {
        for (Exception cause : List.of(new ConnectException("Connection refused"),
                new SocketTimeoutException("Read timed out"), new SSLHandshakeException("PKIX path building failed"))) {
            MessagingException failure = new MessagingException("Could not connect to SMTP host", cause);
            assertThat(SmtpOutcomes.classify(TWO, failure)).isEqualTo(
                    new SmtpOutcome.Deferred("MessagingException: " + failure.getMessage(), false));
        }
    }

    @Test
    void aFailureThatIsNoSmtpAnswerIsRetriedAndMarkedUnexpected() {
        SmtpOutcome outcome = SmtpOutcomes.classify(TWO, new IllegalStateException("signing failed"));
        assertThat(outcome).isEqualTo(new SmtpOutcome.Deferred("IllegalStateException: signing failed", true));
    }

    @Test
    void aMessagingFailureCarryingA5xxReplyBouncesEveryRecipient() throws Exception {
        MessagingException failure = new MessagingException("relay said no",
                refusal("ann@example.org", 554, "554 5.0.0 no"));
        SmtpOutcome.Bounced bounced = (SmtpOutcome.Bounced) SmtpOutcomes.classify(TWO, failure);
        assertThat(bounced.hardBounced()).isEqualTo(TWO);
        assertThat(bounced.refusals().get(0).diagnostic()).isEqualTo("554 relay said no");
    }

    @Test
    void aMessagingFailureCarryingA4xxReplyIsRetried() throws Exception {
        MessagingException failure = new MessagingException("relay busy", refusal("ann@example.org", 421, "421 busy"));
        assertThat(SmtpOutcomes.classify(TWO, failure)).isEqualTo(
                new SmtpOutcome.Deferred("MessagingException: relay busy", false));
    }

    @Test
    void aPartlyFailedSendSplitsSentBouncedAndRetriedRecipients() throws Exception {
        List<String> four = List.of("ann@example.org", "bob@example.org", "cat@example.org", "dan@example.org");
        SMTPAddressFailedException bounce = refusal("Cat@Example.org", 550, "550 5.1.1 user unknown");
        bounce.setNextException(refusal("dan@example.org", 452, "452 4.2.2 mailbox full"));
        SendFailedException failure = new SendFailedException("2 of 4 recipients refused, 2 to try again", bounce,
                addresses(List.of("ann@example.org")), addresses(List.of("bob@example.org")),
                addresses(List.of("Cat@Example.org", "dan@example.org")));

        SmtpOutcome.Partly partly = (SmtpOutcome.Partly) SmtpOutcomes.classify(four, failure);

        assertThat(partly.sent()).containsExactly("ann@example.org");
        // each refused address is judged by its own reply code, matched without regard to case
        assertThat(partly.bounced()).containsExactly(
                new SmtpOutcome.Refusal("Cat@Example.org", "550 " + failure.getMessage()));
        assertThat(partly.retry()).containsExactly("bob@example.org", "dan@example.org");
        assertThat(partly.reason()).isEqualTo(failure.getMessage());
        assertThat(partly.hardBounced()).containsExactly("Cat@Example.org");
    }

    @Test
    void aRefusedAddressWithoutItsOwnCodeTakesTheFirstCodeOfTheChainAndWithoutAnyBouncesHard() throws Exception {
        SendFailedException noCodeAtAll = new SendFailedException("invalid address", null, new Address[0],
                new Address[0], addresses(ONE));
        assertThat(((SmtpOutcome.Partly) SmtpOutcomes.classify(ONE, noCodeAtAll)).hardBounced()).isEqualTo(ONE);

        SendFailedException otherCode = new SendFailedException("refused", refusal("zed@example.org", 451, "451 later"),
                new Address[0], new Address[0], addresses(ONE));
        SmtpOutcome.Partly partly = (SmtpOutcome.Partly) SmtpOutcomes.classify(ONE, otherCode);
        assertThat(partly.bounced()).isEmpty();
        assertThat(partly.retry()).isEqualTo(ONE);
    }

    private static SMTPAddressFailedException refusal(String address, int code, String reply) throws AddressException {
        return new SMTPAddressFailedException(new InternetAddress(address), "RCPT TO", code, reply);
    }

    private static SendFailedException partly(List<String> sent, List<String> unsent, SMTPAddressFailedException refused) {
        return new SendFailedException("1 of 1 recipients refused, 0 to try again: " + refused.getMessage(), refused,
                addresses(sent), addresses(unsent), new Address[] {refused.getAddress()});
    }

    private static Address[] addresses(List<String> addresses) {
        return addresses.stream().map(a -> {
            try {
                return new InternetAddress(a);
            } catch (AddressException e) {
                throw new IllegalArgumentException(e);
            }
        }).toArray(Address[]::new);
    }
}
