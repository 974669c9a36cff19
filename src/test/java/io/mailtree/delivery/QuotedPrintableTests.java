package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuotedPrintableTests {

    @Test
    void roundTripsTrickyTextThroughTheMailLibrarysDecoder() throws Exception {
        String[] samples = {
            "plain ascii",
            "a = b and =3D is not an escape",
            "trailing space \nand tab\t\r\nend ",
            "bare\rcarriage returns\rand\n\nblank lines\n",
            "é ü ß — 日本語のテキスト 🙂 " + "x".repeat(300),
            "<html><body style=\"margin:0\">" + "<p>Bonjour&nbsp;à tous</p>".repeat(40) + "</body></html>",
            ".leading dot\r\nFrom the start",
            "=".repeat(100),
            " ".repeat(90),
        };
        for (String sample : samples) {
            assertRoundTrip(sample);
        }
        Random random = new Random(42);
        for (int n = 0; n < 300; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(400);
            for (int i = 0; i < length; i++) {
                int pick = random.nextInt(10);
                text.append(switch (pick) {
                    case 0 -> ' ';
                    case 1 -> '\n';
                    case 2 -> '=';
                    case 3 -> '\t';
                    case 4 -> 'é';
                    case 5 -> '語';
                    default -> (char) ('a' + random.nextInt(26));
                });
            }
            assertRoundTrip(text.toString());
        }
    }

    @Test
    void linesStayWithin76CharactersAndNeverEndInWhitespace() {
        byte[] encoded = QuotedPrintable.encode(("word ".repeat(50) + "\n").repeat(5) + "ü".repeat(200) + " \t");
        String ascii = new String(encoded, StandardCharsets.US_ASCII);
        assertThat(ascii.chars().allMatch(c -> c < 128)).isTrue();
        for (String line : ascii.split("\r\n", -1)) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(76);
            assertThat(line).doesNotEndWith(" ").doesNotEndWith("\t");
        }
        assertThat(ascii).doesNotContain("\n\n").doesNotContainPattern("[^\r]\n");
    }

    private static void assertRoundTrip(String text) throws Exception {
        byte[] encoded = QuotedPrintable.encode(text);
        byte[] decoded = MimeUtility.decode(new ByteArrayInputStream(encoded), "quoted-printable").readAllBytes();
        String expected = text.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\r\n");
        assertThat(new String(decoded, StandardCharsets.UTF_8)).isEqualTo(expected);
    }
}
