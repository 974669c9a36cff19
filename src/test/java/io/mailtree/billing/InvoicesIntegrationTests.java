package io.mailtree.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.lowagie.text.pdf.PdfReader;
import com.lowagie.text.pdf.parser.PdfTextExtractor;
import io.mailtree.support.Api;
import io.mailtree.support.Eventually;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * D-31's invoice: one per master and period, a line per account, the lines summing to the subtotal
 * and the tax to the total; numbered without gaps under concurrent issuing; never changed once
 * issued (a correction is a credit note); readable back from its PDF; out of reach of other trees.
 */
class InvoicesIntegrationTests extends BillingTestSupport {

    @Autowired
    InvoiceDocuments documents;

    @AfterEach
    void freePrices() {
        operator().send("PUT", "/api/platform/v1/billing/plan-prices/pay-per-send",
                "{\"periodPriceMinor\":0,\"perThousandMinor\":0}");
    }

    private void metered(String master, String sender, int messages) {
        for (int i = 0; i < messages; i++) {
            append(sender, null, nextMessageId(), "DELIVERED", "r" + i + "@example.test", clock().instant());
        }
    }

    @Test
    @DisplayName("D-31: one invoice per master with a line per account; the lines sum to the subtotal, the tax at the configured rate to the total; the PDF reads back")
    void d31InvoiceLinesSumToTotalsAndPdfReadsBack() throws Exception {
        Api.Response priced = operator().send("PUT", "/api/platform/v1/billing/plan-prices/pay-per-send",
                "{\"periodPriceMinor\":1999,\"perThousandMinor\":1500}");
        assertThat(priced.status()).isEqualTo(200);
        Master master = prepaidMaster(0);
        String north = subaccount(master, null);
        String south = subaccount(master, null);
        metered(master.id(), master.id(), 3);
        metered(master.id(), north, 7);
        metered(master.id(), south, 1);
        Eventually.afterConsumers(() -> assertThat(metered(master.id())).isEqualTo(11));

        Api.Response early = operator().post("/api/platform/v1/billing/invoices/issue",
                "{\"period\":\"" + BillingPeriod.of(clock().instant()).key() + "\"}");
        assertThat(early.status()).as(early.toString()).isEqualTo(409);
        assertThat(early.code()).isEqualTo("period_not_ended");

        BillingPeriod period = moveToNextPeriod();
        Invoice issued = invoices.issue(id(master.id()), period, "test");
        JsonNode invoice = master.api().get("/api/v1/billing/invoices/" + issued.id()).json();
        JsonNode lines = invoice.get("lines");
        assertThat(lines).hasSize(4); // the subscription, the master, two sub-accounts
        assertThat(lines.get(0).get("amount").decimalValue()).isEqualByComparingTo("19.99");
        assertThat(lines.get(1).get("accountId").asString()).isEqualTo(master.id());
        assertThat(lines.get(1).get("emailsSent").asLong()).isEqualTo(3);
        BigDecimal sum = BigDecimal.ZERO;
        long emails = 0;
        for (JsonNode line : lines) {
            sum = sum.add(line.get("amount").decimalValue());
            emails += line.get("emailsSent").asLong();
        }
        assertThat(emails).isEqualTo(11);
        BigDecimal subtotal = invoice.get("subtotal").decimalValue();
        assertThat(sum).isEqualByComparingTo(subtotal);
        // 3 × 1.5 = 4.5 → 5; 7 × 1.5 = 10.5 → 11; 1 × 1.5 → 2 (minor units, half up): 19.99 + 0.18
        assertThat(subtotal).isEqualByComparingTo("20.17");
        BigDecimal tax = invoice.get("tax").decimalValue();
        assertThat(tax).isEqualByComparingTo(subtotal.multiply(new BigDecimal("0.20")).setScale(2, java.math.RoundingMode.HALF_UP));
        assertThat(invoice.get("total").decimalValue()).isEqualByComparingTo(subtotal.add(tax));
        assertThat(invoice.get("currency").asString()).isEqualTo("EUR");

        // The PDF, read back as text.
        byte[] pdf = documents.pdf(issued, Locale.ENGLISH);
        PdfReader reader = new PdfReader(pdf);
        String text = new PdfTextExtractor(reader).getTextFromPage(1);
        reader.close();
        assertThat(text).contains(issued.number()).contains(issued.masterName()).contains("Total")
                .contains("24.20 EUR").contains(accountTree.require(id(north)).name());
        Api.Response served = master.api().get("/api/v1/billing/invoices/" + issued.id() + "/pdf");
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.body()).startsWith("%PDF");
        String csv = master.api().get("/api/v1/billing/invoices/" + issued.id() + "/csv").body();
        assertThat(csv.split("\r\n")).hasSize(1 + 4 + 3);
        assertThat(csv).contains(",total,,,24.20,EUR");

        // Issued means fixed: issuing again answers the same invoice; a correction is a credit note.
        assertThat(invoices.issue(id(master.id()), period, "test").number()).isEqualTo(issued.number());
        Api.Response note = operator().post("/api/platform/v1/billing/invoices/" + issued.id() + "/credit-notes",
                "{\"reason\":\"Goodwill\"}");
        assertThat(note.status()).isEqualTo(200);
        assertThat(note.json().get("kind").asString()).isEqualTo("CREDIT_NOTE");
        assertThat(note.json().get("total").decimalValue()).isEqualByComparingTo("-24.20");
        assertThat(note.json().get("corrects").asLong()).isEqualTo(issued.id());
        assertThat(master.api().get("/api/v1/billing/invoices/" + issued.id()).json().get("total").decimalValue())
                .isEqualByComparingTo("24.20");
        assertThat(operator().post("/api/platform/v1/billing/invoices/" + issued.id() + "/credit-notes",
                "{\"reason\":\"Again\"}").code()).isEqualTo("already_credited");
        assertThat(master.api().get("/api/v1/billing/invoices").json().get("items")).hasSize(2);
        String audit = master.api().get("/api/v1/audit").body();
        assertThat(audit).contains("billing.invoice_issued").contains("billing.credit_note_issued")
                .doesNotContain("billing.cap_set");
    }

    @Test
    @DisplayName("D-31: invoices issued concurrently for many masters are numbered without a gap or a repeat")
    void d31ConcurrentIssuingNumbersWithoutGaps() throws Exception {
        List<String> masters = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            masters.add(master("pro-1000").id());
        }
        BillingPeriod period = moveToNextPeriod();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Invoice>> issued = new ArrayList<>();
        try {
            for (String master : masters) {
                issued.add(pool.submit(() -> invoices.issue(id(master), period, "test")));
                issued.add(pool.submit(() -> invoices.issue(id(master), period, "test"))); // the same, twice at once
            }
            Set<Long> seqs = new HashSet<>();
            Set<String> numbers = new HashSet<>();
            for (Future<Invoice> invoice : issued) {
                Invoice i = invoice.get(60, TimeUnit.SECONDS);
                seqs.add(i.seq());
                numbers.add(i.number());
            }
            assertThat(seqs).hasSize(12);
            assertThat(numbers).hasSize(12);
        } finally {
            pool.shutdownNow();
        }
        var series = jdbc.sql("select count(*), min(seq), max(seq) from billing_invoice")
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).single();
        assertThat(series[1]).isEqualTo(1);
        assertThat(series[0]).as("no gap in the whole series").isEqualTo(series[2]);
        assertThat(jdbc.sql("select last_number from billing_invoice_counter").query(Long.class).single())
                .isEqualTo(series[2]);
    }

    @Test
    @DisplayName("Tenancy: another master's invoice answers 404; a sub-account asking for invoices 403; the page likewise")
    void invoicesAreTheMastersOnly() {
        Master master = master("pro-1000");
        String sub = subaccount(master, 500);
        Master other = master("pro-1000");
        BillingPeriod period = moveToNextPeriod();
        Invoice theirs = invoices.issue(id(other.id()), period, "test");
        Api.Response foreign = master.api().get("/api/v1/billing/invoices/" + theirs.id());
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.code()).isEqualTo("invoice_not_found");
        assertThat(master.api().get("/api/v1/billing/invoices/" + theirs.id() + "/pdf").status()).isEqualTo(404);
        Api.Response bySub = master.api().onBehalfOf(sub).get("/api/v1/billing/invoices");
        assertThat(bySub.status()).isEqualTo(403);
        assertThat(bySub.code()).isEqualTo("masters_only");
        assertThat(signInAsOwner(master).get("/account/billing/invoices/" + theirs.id()).status()).isEqualTo(404);
        assertThat(master.api().get("/api/v1/billing/invoices").json().get("items")).isEmpty();
    }

    @Test
    @DisplayName("D-2, D-4: an upgrade starts now; a downgrade the tree does not fit is refused with the numbers; one that fits starts at the renewal")
    void planChanges() {
        Master master = master("pro-5000");
        setOwnActiveContacts(master.id(), 3000);
        Api.Response tooSmall = master.api().post("/api/v1/billing/subscription", "{\"plan\":\"lite-1000\"}");
        assertThat(tooSmall.status()).isEqualTo(409);
        assertThat(tooSmall.code()).isEqualTo("plan_does_not_fit");
        assertThat(tooSmall.json().get("needed").asLong()).isEqualTo(3000);
        assertThat(tooSmall.json().get("limit").asLong()).isEqualTo(1000);
        assertThat(accountTree.require(id(master.id())).planCode()).isEqualTo("pro-5000");

        Api.Response up = master.api().post("/api/v1/billing/subscription", "{\"plan\":\"pro-10000\"}");
        assertThat(up.status()).isEqualTo(200);
        assertThat(up.json().get("plan").asString()).isEqualTo("pro-10000");
        assertThat(up.json().get("pendingPlan").isNull()).isTrue();

        Api.Response down = master.api().post("/api/v1/billing/subscription", "{\"plan\":\"lite-5000\"}");
        assertThat(down.status()).isEqualTo(200);
        assertThat(down.json().get("plan").asString()).as("a downgrade waits").isEqualTo("pro-10000");
        assertThat(down.json().get("pendingPlan").asString()).isEqualTo("lite-5000");
        assertThat(down.json().get("pendingFrom").asString()).isEqualTo(down.json().get("renewsOn").asString());

        moveToNextPeriod();
        JsonNode renewed = usage(master.api()).get("subscription");
        assertThat(renewed.get("plan").asString()).isEqualTo("lite-5000");
        assertThat(renewed.get("pendingPlan").isNull()).isTrue();
        assertThat(master.api().post("/api/v1/billing/subscription", "{\"plan\":\"nope\"}").code())
                .isEqualTo("unknown_plan");
        assertThat(master.api().get("/api/v1/audit").body()).contains("master.plan_changed")
                .contains("billing.downgrade_scheduled");
    }
}
