package io.mailtree.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The import checks the file's type from its bytes at upload: a PDF or a PNG renamed {@code .csv}
 * is refused at once with {@code not_a_csv_file} naming what it is, and nothing is stored.
 */
class ImportFileTypeIntegrationTests extends MailtreeTestBase {

    private static final byte[] PDF = "%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".getBytes(
            java.nio.charset.StandardCharsets.ISO_8859_1);
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 'I', 'H',
        'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0};

    @Test
    @DisplayName("A PDF or a PNG renamed .csv is refused at upload with not_a_csv_file and nothing is imported")
    void documentsAndImagesNamedCsvAreRefusedAtUpload() {
        Master master = master("pro-5000");
        for (var file : Map.of("contacts.csv", PDF, "photo.csv", PNG).entrySet()) {
            Api.Response refused = master.api().postMultipart("/api/v1/imports", Map.of(), file.getKey(), file.getValue());
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.code()).isEqualTo("not_a_csv_file");
            assertThat(refused.json().get("detectedType").asString()).isEqualTo(file.getValue() == PDF ? "PDF" : "PNG");
        }
        assertThat(jdbc.sql("select count(*) from contact_import where account_id = ?")
                .param(UUID.fromString(master.id())).query(Long.class).single()).isZero();

        // A real CSV is still accepted.
        Api.Response accepted = master.api().postMultipart("/api/v1/imports", Map.of(), "contacts.csv",
                "email\nfiletype-check@example.test\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(accepted.status()).isBetween(200, 202);
    }

    @Test
    @DisplayName("Binary signatures are recognised; UTF-8 and UTF-16 text with a byte order mark are not refused")
    void recognisesBinaryFromItsFirstBytes() {
        assertThat(UploadedFileType.binaryType(PDF)).isEqualTo("PDF");
        assertThat(UploadedFileType.binaryType(PNG)).isEqualTo("PNG");
        assertThat(UploadedFileType.binaryType(new byte[] {'P', 'K', 3, 4, 20, 0})).isEqualTo("ZIP (XLSX, DOCX)");
        assertThat(UploadedFileType.binaryType(new byte[] {'a', 0, 'b'})).isEqualTo("binary");
        assertThat(UploadedFileType.binaryType("email\nå@example.test\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isNull();
        assertThat(UploadedFileType.binaryType("email\n".getBytes(java.nio.charset.StandardCharsets.UTF_16LE))).isEqualTo("binary");
        byte[] bom = {(byte) 0xFF, (byte) 0xFE, 'e', 0, 'm', 0};
        assertThat(UploadedFileType.binaryType(bom)).isNull();
    }
}
