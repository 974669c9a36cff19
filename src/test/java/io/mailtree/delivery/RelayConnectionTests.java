package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

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
}
