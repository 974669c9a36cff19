package io.mailtree.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The export's guard against cells a spreadsheet would run as formulas (CSV injection). */
class CsvExportTests {

    @ParameterizedTest
    @ValueSource(strings = {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx", " =HYPERLINK(\"http://evil\")",
        "  +1", "\t=1", "\u00A0=1", "\u3000=1", "\uFF1D1+1", "\uFF0B1", "\uFF0D1", "\uFF20SUM(A1)", " \uFF1D1"})
    void prefixesEveryCellASpreadsheetWouldRunAsAFormula(String value) {
        assertThat(CsvExport.safe(value)).isEqualTo("'" + value);
        assertThat(CsvExport.cell(value)).startsWith("\"'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ana@example.com", "Ana = friend", "  Ana", "１２３", "a-b", "", " "})
    void leavesOrdinaryCellsAsTheyAre(String value) {
        assertThat(CsvExport.safe(value)).isEqualTo(value);
    }
}
