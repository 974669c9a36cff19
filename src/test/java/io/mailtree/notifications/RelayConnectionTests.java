package io.mailtree.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.support.ControllableRelay;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;

/** The relay's side of delivery: one SMTP transaction per recipient over one reused connection, hidden headers never sent. */
class RelayConnectionTests {

    @Test
    void bccResentBccAndContentLengthNeverReachTheRelay() {
        String message = "From: shop@example.test\r\nBcc: spy@example.test,\r\n\tother@example.test\r\n"
                + "Subject: Hello\r\nRESENT-BCC: x@example.test\r\ncontent-length: 42\r\nTo: ann@example.test\r\n\r\n"
                + "Bcc: this line is body text and stays\r\n";
        String sent = new String(RelayConnection.withoutHiddenHeaders(message.getBytes(StandardCharsets.US_ASCII)),
                StandardCharsets.US_ASCII);
        assertThat(sent).isEqualTo("From: shop@example.test\r\nSubject: Hello\r\nTo: ann@example.test\r\n\r\n"
                + "Bcc: this line is body text and stays\r\n");
    }

    @Test
    void aMessageWithoutThemIsHandedOnAsItIs() {
        byte[] message = "From: a@example.test\r\nX-Bcc-Note: kept\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(RelayConnection.withoutHiddenHeaders(message)).isSameAs(message);
    }

    private static final byte[] MESSAGE = "From: shop@example.test\r\nTo: many@example.test\r\nSubject: Hi\r\n\r\nHello\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private static MailTransport.Envelope envelope(List<String> recipients) {
        return new MailTransport.Envelope("shop@example.test", recipients, RelayConnectionTests::returnPath);
    }

    private static String returnPath(String recipient) {
        return "bounces+" + recipient.substring(0, recipient.indexOf('@')) + "@bounces.example.test";
    }

    /** Each recipient in its own transaction, with its own return path; outcomes told apart per recipient. */
    @Test
    void eachRecipientGetsItsOwnEnvelopeAndItsOwnOutcome() throws Exception {
        try (ControllableRelay relay = ControllableRelay.start();
                RelayConnection connection = new RelayConnection(new RelaySettings("127.0.0.1", relay.port(), null, null, "none"))) {
            relay.policy((recipient, attempt) -> recipient.startsWith("gone") ? ControllableRelay.Answer.PERMANENT_AT_DATA
                    : recipient.startsWith("later") ? ControllableRelay.Answer.TEMPORARY_AT_RCPT
                    : ControllableRelay.Answer.ACCEPT);
            List<String> recipients = List.of("ann@example.test", "gone@example.test", "later@example.test",
                    "bob@example.test");

            SendFailedException failure = org.junit.jupiter.api.Assertions.assertThrows(SendFailedException.class,
                    () -> connection.send(envelope(recipients), MESSAGE));

            assertThat(Arrays.stream(failure.getValidSentAddresses()).map(Object::toString))
                    .containsExactly("ann@example.test", "bob@example.test");
            assertThat(Arrays.stream(failure.getInvalidAddresses()).map(Object::toString))
                    .containsExactly("gone@example.test");
            assertThat(Arrays.stream(failure.getValidUnsentAddresses()).map(Object::toString))
                    .containsExactly("later@example.test");
            java.util.Map<String, Integer> codes = new java.util.HashMap<>();
            for (Exception next = failure.getNextException(); next instanceof SMTPAddressFailedException refused;
                    next = refused.getNextException()) {
                codes.put(refused.getAddress().getAddress(), refused.getReturnCode());
            }
            assertThat(codes).containsOnly(java.util.Map.entry("gone@example.test", 550));
            for (String accepted : List.of("ann@example.test", "bob@example.test")) {
                ControllableRelay.Received copy = relay.awaitMessageTo(accepted, 5_000);
                assertThat(copy.recipients()).containsExactly(accepted);
                assertThat(copy.envelopeFrom()).isEqualTo(returnPath(accepted));
            }
        }
    }

    /** Every recipient refused alike, nothing accepted: the failure itself, as one transaction would have failed. */
    @Test
    void recipientsAllRefusedAlikeFailAsOneTransaction() throws Exception {
        try (ControllableRelay relay = ControllableRelay.start();
                RelayConnection connection = new RelayConnection(new RelaySettings("127.0.0.1", relay.port(), null, null, "none"))) {
            relay.policy((recipient, attempt) -> ControllableRelay.Answer.TEMPORARY_AT_DATA);
            assertThatThrownBy(() -> connection.send(envelope(List.of("ann@example.test", "bob@example.test")), MESSAGE))
                    .isInstanceOfSatisfying(SMTPSendFailedException.class, e -> assertThat(e.getReturnCode()).isEqualTo(451));
            relay.refuseConnections();
            connection.close();
            assertThatThrownBy(() -> connection.send(envelope(List.of("ann@example.test", "bob@example.test")), MESSAGE))
                    .isInstanceOf(MessagingException.class).isNotInstanceOf(SendFailedException.class);
        }
    }
}
