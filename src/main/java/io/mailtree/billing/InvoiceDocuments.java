package io.mailtree.billing;

import com.lowagie.text.Document;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.pdf.BaseFont;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.NumberFormat;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Component;

/**
 * An issued invoice as a PDF (OpenPDF) and as CSV; the HTML is the invoice page's template. The PDF
 * embeds a TrueType font so that account names in any script print: {@code mailtree.billing.pdf-font}
 * names one, else the first of a few common system fonts that exists, else the PDF's built-in
 * Helvetica (Latin only).
 */
@Component
public class InvoiceDocuments {

    private static final Logger log = LoggerFactory.getLogger(InvoiceDocuments.class);
    private static final List<String> SYSTEM_FONTS = List.of(
            "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
            "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");

    private final MessageSource messages;
    private final String fontPath;

    InvoiceDocuments(MessageSource messages, @Value("${mailtree.billing.pdf-font:}") String configuredFont) {
        this.messages = messages;
        String chosen = null;
        if (!configuredFont.isBlank()) {
            chosen = configuredFont;
        } else {
            for (String candidate : SYSTEM_FONTS) {
                if (Files.isReadable(Path.of(candidate))) {
                    chosen = candidate;
                    break;
                }
            }
        }
        this.fontPath = chosen;
    }

    private BaseFont font() {
        if (fontPath != null) {
            try {
                return BaseFont.createFont(fontPath, BaseFont.IDENTITY_H, BaseFont.EMBEDDED);
            } catch (Exception unreadable) {
                log.warn("the invoice font {} could not be read; using Helvetica", fontPath, unreadable);
            }
        }
        try {
            return BaseFont.createFont(BaseFont.HELVETICA, BaseFont.WINANSI, BaseFont.NOT_EMBEDDED);
        } catch (Exception impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private String text(String key, Locale locale, Object... args) {
        return messages.getMessage(key, args, locale);
    }

    static String money(long minor, String currency, Locale locale) {
        NumberFormat format = NumberFormat.getNumberInstance(locale);
        format.setMinimumFractionDigits(2);
        format.setMaximumFractionDigits(2);
        return format.format(BigDecimal.valueOf(minor, 2)) + " " + currency;
    }

    static String number(long value, Locale locale) {
        return NumberFormat.getIntegerInstance(locale).format(value);
    }

    public byte[] pdf(Invoice invoice, Locale locale) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Document document = new Document(PageSize.A4, 48, 48, 56, 56);
        PdfWriter.getInstance(document, out);
        document.addTitle(invoice.number());
        document.open();
        BaseFont base = font();
        Font title = new Font(base, 16, Font.BOLD);
        Font body = new Font(base, 10);
        Font bold = new Font(base, 10, Font.BOLD);
        String kind = text(invoice.kind() == Invoice.Kind.INVOICE ? "invoice.kind.INVOICE" : "invoice.kind.CREDIT_NOTE",
                locale);
        document.add(new Paragraph(kind + " " + invoice.number(), title));
        document.add(new Paragraph(text("invoice.billedTo", locale) + ": " + invoice.masterName(), body));
        document.add(new Paragraph(text("invoice.period", locale) + ": " + invoice.period().start() + " – "
                + invoice.period().end().minusDays(1), body));
        document.add(new Paragraph(text("invoice.issuedAt", locale) + ": "
                + invoice.issuedAt().atOffset(ZoneOffset.UTC).toLocalDate(), body));
        document.add(new Paragraph(text("invoice.plan", locale) + ": " + invoice.planCode(), body));
        if (invoice.reason() != null) {
            document.add(new Paragraph(text("invoice.reason", locale) + ": " + invoice.reason(), body));
        }
        document.add(new Paragraph(" ", body));
        PdfPTable table = new PdfPTable(new float[] {4, 2, 2, 2});
        table.setWidthPercentage(100);
        for (String header : List.of("invoice.line.account", "invoice.line.emails", "invoice.line.contacts",
                "invoice.line.amount")) {
            table.addCell(new PdfPCell(new Phrase(text(header, locale), bold)));
        }
        for (Invoice.Line line : invoice.lines()) {
            table.addCell(new PdfPCell(new Phrase(line.description(), body)));
            table.addCell(right(line.account() == null ? "" : number(line.emailsSent(), locale), body));
            table.addCell(right(line.contactsAllowance() == null ? "" : number(line.contactsAllowance(), locale), body));
            table.addCell(right(money(line.amountMinor(), invoice.currency(), locale), body));
        }
        document.add(table);
        document.add(new Paragraph(" ", body));
        document.add(total(text("invoice.subtotal", locale), money(invoice.subtotalMinor(), invoice.currency(), locale),
                body));
        document.add(total(text("invoice.tax", locale, invoice.taxRate().movePointRight(2).stripTrailingZeros()
                .toPlainString()), money(invoice.taxMinor(), invoice.currency(), locale), body));
        document.add(total(text("invoice.total", locale), money(invoice.totalMinor(), invoice.currency(), locale), bold));
        document.close();
        return out.toByteArray();
    }

    private static PdfPCell right(String text, Font font) {
        PdfPCell cell = new PdfPCell(new Phrase(text, font));
        cell.setHorizontalAlignment(Element.ALIGN_RIGHT);
        return cell;
    }

    private static Paragraph total(String label, String value, Font font) {
        Paragraph paragraph = new Paragraph(label + ": " + value, font);
        paragraph.setAlignment(Element.ALIGN_RIGHT);
        return paragraph;
    }

    /**
     * The invoice as CSV (RFC 4180): a row per line, then the subtotal, tax and total rows. Amounts are
     * plain decimals with a point, whatever the language, so spreadsheets and scripts read them alike.
     */
    public String csv(Invoice invoice) {
        StringBuilder csv = new StringBuilder("number,kind,period,line,account_id,description,emails_sent,"
                + "contacts_allowance,amount,currency\r\n");
        for (Invoice.Line line : invoice.lines()) {
            csv.append(invoice.number()).append(',').append(invoice.kind()).append(',').append(invoice.period().key())
                    .append(',').append(line.lineNo()).append(',')
                    .append(line.account() == null ? "" : line.account().value()).append(',')
                    .append(cell(line.description())).append(',').append(line.emailsSent()).append(',')
                    .append(line.contactsAllowance() == null ? "" : line.contactsAllowance()).append(',')
                    .append(Invoice.major(line.amountMinor()).toPlainString()).append(',').append(invoice.currency())
                    .append("\r\n");
        }
        for (Object[] row : new Object[][] {{"subtotal", invoice.subtotalMinor()}, {"tax", invoice.taxMinor()},
                {"total", invoice.totalMinor()}}) {
            csv.append(invoice.number()).append(',').append(invoice.kind()).append(',').append(invoice.period().key())
                    .append(",,,").append(row[0]).append(",,,").append(Invoice.major((Long) row[1]).toPlainString())
                    .append(',').append(invoice.currency()).append("\r\n");
        }
        return csv.toString();
    }

    /** A CSV cell, quoted when needed; a leading =, +, - or @ is neutralised so no spreadsheet runs it. */
    static String cell(String value) {
        String text = value == null ? "" : value;
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
