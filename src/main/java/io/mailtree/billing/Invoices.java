package io.mailtree.billing;

import io.mailtree.accounts.Account;
import io.mailtree.accounts.AccountTree;
import io.mailtree.accounts.Plan;
import io.mailtree.audit.AuditLog;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Texts;
import io.mailtree.shared.Times;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Invoices per period (D-31): one per master, a line for the subscription's fee and a line per
 * account of the tree (master and each sub-account: e-mails sent as metered, contacts allowance),
 * the subtotal as the lines' sum, tax at the configured rate, the currency. The number comes from a
 * counter row locked in the issuing transaction, as its last step: concurrent issuing waits on that
 * row, and a rollback gives the number back with everything else, so the series has no gap and no
 * repeat. Nothing updates an issued invoice; a correction is a credit note that reverses it.
 */
@Service
public class Invoices {

    private static final int MAX_REASON = 500;

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final AccountTree accounts;
    private final PlanPrices prices;
    private final AuditLog audit;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final String currency;
    private final BigDecimal taxRate;
    private final String prefix;

    Invoices(JdbcClient jdbc, JdbcTemplate jdbcTemplate, AccountTree accounts, PlanPrices prices, AuditLog audit,
            Clock clock, PlatformTransactionManager transactionManager,
            @Value("${mailtree.billing.currency:EUR}") String currency,
            @Value("${mailtree.billing.tax-rate:0.20}") BigDecimal taxRate,
            @Value("${mailtree.billing.invoice-prefix:MT}") String prefix) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.accounts = accounts;
        this.prices = prices;
        this.audit = audit;
        this.clock = clock;
        this.transactions = new TransactionTemplate(transactionManager);
        if (!currency.matches("[A-Z]{3}")) {
            throw new IllegalStateException("mailtree.billing.currency is an ISO 4217 code such as EUR");
        }
        if (taxRate.signum() < 0 || taxRate.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalStateException("mailtree.billing.tax-rate is a fraction from 0 to 1, such as 0.20");
        }
        this.currency = currency;
        this.taxRate = taxRate;
        this.prefix = prefix;
    }

    public String currency() {
        return currency;
    }

    public BigDecimal taxRate() {
        return taxRate;
    }

    /** Amount of {@code sent} e-mails at {@code perThousand} minor units per 1,000, rounded half up. */
    static long amount(long sent, long perThousand) {
        return BigDecimal.valueOf(sent).multiply(BigDecimal.valueOf(perThousand))
                .divide(BigDecimal.valueOf(1000), 0, RoundingMode.HALF_UP).longValueExact();
    }

    long tax(long subtotal) {
        return BigDecimal.valueOf(subtotal).multiply(taxRate).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    /**
     * Issues the master's invoice of a period that has ended, or answers the one issued before (issuing
     * twice changes nothing). One transaction.
     */
    public Invoice issue(AccountId masterId, BillingPeriod period, String actor) {
        requireEnded(period);
        try {
            return transactions.execute(status -> issueInTransaction(masterId, period, actor));
        } catch (DuplicateKeyException issuedMeanwhile) {
            return find(masterId, period).orElseThrow(() -> issuedMeanwhile);
        }
    }

    private void requireEnded(BillingPeriod period) {
        if (period.end().isAfter(LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC))) {
            throw DomainProblem.conflict("period_not_ended", "the period " + period + " has not ended yet; it renews on "
                    + period.end(), period.key(), period.end().toString());
        }
    }

    private Invoice issueInTransaction(AccountId masterId, BillingPeriod period, String actor) {
        Optional<Invoice> existing = find(masterId, period);
        if (existing.isPresent()) {
            return existing.get();
        }
        Account master = accounts.find(masterId).filter(Account::isMaster)
                .orElseThrow(() -> DomainProblem.notFound("master_not_found", "master"));
        Plan plan = accounts.planOf(master);
        PlanPrices.Price price = prices.of(plan.code());
        Map<UUID, Long> sent = new HashMap<>();
        jdbc.sql("select sender_id, sum(sent) from billing_usage where account_id = ? and period_start = ? group by sender_id")
                .params(masterId.value(), period.start())
                .query(rs -> {
                    sent.put(rs.getObject(1, UUID.class), rs.getLong(2));
                });
        List<Account> tree = new ArrayList<>();
        tree.add(master);
        tree.addAll(accounts.findAll(accounts.subaccountIds(masterId)).values().stream()
                .sorted(java.util.Comparator.comparing(Account::name).thenComparing(a -> a.id().value())).toList());
        List<Invoice.Line> lines = new ArrayList<>();
        lines.add(new Invoice.Line(1, null, "Subscription " + plan.name() + " " + period, 0, null,
                price.periodPriceMinor()));
        for (Account account : tree) {
            long emails = sent.getOrDefault(account.id().value(), 0L);
            Integer allowance = account.isMaster() && plan.usesContactAllocation()
                    ? subtract(account.contactLimit(plan), account.allocatedToSubaccounts())
                    : account.contactLimit(plan);
            lines.add(new Invoice.Line(lines.size() + 1, account.id(), account.name(), emails,
                    allowance == null ? null : allowance.longValue(), amount(emails, price.perThousandMinor())));
        }
        long subtotal = lines.stream().mapToLong(Invoice.Line::amountMinor).sum();
        return insert(master, Invoice.Kind.INVOICE, null, period, plan.code(), lines, subtotal, taxRate, tax(subtotal),
                null, actor);
    }

    private static Integer subtract(Integer limit, long allocated) {
        return limit == null ? null : (int) Math.max(0, limit - allocated);
    }

    /** The number is taken last, so the counter row is locked only for the inserts that follow. */
    private Invoice insert(Account master, Invoice.Kind kind, Long corrects, BillingPeriod period, String planCode,
            List<Invoice.Line> lines, long subtotal, BigDecimal rate, long tax, String reason, String actor) {
        Instant now = clock.instant();
        long seq = jdbc.sql("select last_number from billing_invoice_counter where series = 'INVOICE' for update")
                .query(Long.class).single() + 1;
        jdbc.sql("update billing_invoice_counter set last_number = ? where series = 'INVOICE'").param(seq).update();
        String number = prefix + "-" + String.format("%07d", seq);
        var keys = new GeneratedKeyHolder();
        jdbc.sql("""
                insert into billing_invoice (account_id, seq, number, kind, corrects_id, period_key, period_start,
                    period_end, master_name, plan_code, currency, subtotal_minor, tax_rate, tax_minor, total_minor,
                    reason, issued_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(master.id().value(), seq, number, kind.name(), corrects,
                        kind == Invoice.Kind.INVOICE ? period.key() : null, period.start(), period.end(), master.name(),
                        planCode, currency, subtotal, rate, tax, subtotal + tax, reason, Times.sql(now))
                .update(keys, "id");
        long id = keys.getKeyAs(Number.class).longValue();
        List<Object[]> rows = new ArrayList<>(lines.size());
        for (Invoice.Line line : lines) {
            rows.add(new Object[] {id, line.lineNo(), master.id().value(),
                    line.account() == null ? null : line.account().value(), line.description(), line.emailsSent(),
                    line.contactsAllowance(), line.amountMinor()});
        }
        jdbcTemplate.batchUpdate("""
                insert into billing_invoice_line (invoice_id, line_no, account_id, line_account_id, description,
                    emails_sent, contacts_allowance, amount_minor) values (?, ?, ?, ?, ?, ?, ?, ?)""", rows);
        audit.recordOperator(actor, null, master.id(), master.id(),
                kind == Invoice.Kind.INVOICE ? "billing.invoice_issued" : "billing.credit_note_issued",
                "number=" + number + " period=" + period + " total=" + (subtotal + tax) + " " + currency);
        return get(id);
    }

    /** Issues every master's invoice of the period; answers how many were issued now (not before). */
    public int issueAll(BillingPeriod period, String actor, java.util.function.IntConsumer progress) {
        requireEnded(period);
        int issued = 0;
        int page = 0;
        while (true) {
            PageOf<Account> masters = accounts.masters(null, new PageRequest(page, PageRequest.MAX_SIZE));
            for (Account master : masters.items()) {
                if (find(master.id(), period).isEmpty()) {
                    issue(master.id(), period, actor);
                    issued++;
                }
            }
            if (progress != null) {
                progress.accept(issued);
            }
            if (!masters.hasNext()) {
                return issued;
            }
            page++;
        }
    }

    /**
     * The correction of an issued invoice: a credit note that reverses all of it (every line negated),
     * numbered in the same series; the invoice itself stays as it was. One credit note per invoice.
     */
    public Invoice creditNote(long invoiceId, String reason, String actor) {
        String why = reason == null ? "" : reason.strip();
        if (why.isEmpty() || why.length() > MAX_REASON) {
            throw DomainProblem.invalid("invalid_credit_note_reason", "a credit note says why, in at most 500 characters", MAX_REASON)
                    .with("field", "reason");
        }
        return transactions.execute(status -> {
            Invoice invoice = get(invoiceId);
            if (invoice.kind() != Invoice.Kind.INVOICE) {
                throw DomainProblem.conflict("not_an_invoice", "a credit note corrects an invoice, not another credit note");
            }
            if (jdbc.sql("select count(*) from billing_invoice where corrects_id = ?").param(invoiceId).query(Long.class)
                    .single() > 0) {
                throw DomainProblem.conflict("already_credited", "invoice " + invoice.number() + " has a credit note",
                        invoice.number());
            }
            Account master = accounts.require(invoice.master());
            List<Invoice.Line> lines = invoice.lines().stream().map(l -> new Invoice.Line(l.lineNo(), l.account(),
                    l.description(), -l.emailsSent(), l.contactsAllowance(), -l.amountMinor())).toList();
            return insert(master, Invoice.Kind.CREDIT_NOTE, invoiceId, invoice.period(), invoice.planCode(), lines,
                    -invoice.subtotalMinor(), invoice.taxRate(), -invoice.taxMinor(), Texts.name(why, MAX_REASON), actor);
        });
    }

    // --- reading -----------------------------------------------------------------------------------

    private Invoice map(java.sql.ResultSet rs, List<Invoice.Line> lines) throws java.sql.SQLException {
        return new Invoice(rs.getLong("id"), new AccountId(rs.getObject("account_id", UUID.class)), rs.getLong("seq"),
                rs.getString("number"), Invoice.Kind.valueOf(rs.getString("kind")), (Long) rs.getObject("corrects_id", Long.class),
                new BillingPeriod(rs.getObject("period_start", LocalDate.class)), rs.getString("master_name"),
                rs.getString("plan_code"), rs.getString("currency"), rs.getLong("subtotal_minor"),
                rs.getBigDecimal("tax_rate").stripTrailingZeros(), rs.getLong("tax_minor"), rs.getLong("total_minor"),
                rs.getString("reason"), Times.instant(rs, "issued_at"), lines);
    }

    private List<Invoice.Line> lines(long id) {
        return jdbc.sql("""
                select line_no, line_account_id, description, emails_sent, contacts_allowance, amount_minor
                from billing_invoice_line where invoice_id = ? order by line_no""").param(id)
                .query((rs, n) -> {
                    UUID account = rs.getObject(2, UUID.class);
                    return new Invoice.Line(rs.getInt(1), account == null ? null : new AccountId(account), rs.getString(3),
                            rs.getLong(4), (Long) rs.getObject(5, Long.class), rs.getLong(6));
                }).list();
    }

    Invoice get(long id) {
        return jdbc.sql("select * from billing_invoice where id = ?").param(id).query((rs, n) -> map(rs, lines(id)))
                .optional().orElseThrow(() -> DomainProblem.notFound("invoice_not_found", "invoice"));
    }

    public Optional<Invoice> find(AccountId master, BillingPeriod period) {
        return jdbc.sql("select id from billing_invoice where account_id = ? and period_key = ?")
                .params(master.value(), period.key()).query(Long.class).optional().map(this::get);
    }

    /** One invoice of the caller's tree; another tree's (or a sub-account asking) answers 404 / 403. */
    public Invoice get(Caller caller, long id) {
        caller.requireMaster();
        Invoice invoice = jdbc.sql("select id from billing_invoice where id = ? and account_id = ?")
                .params(id, caller.accountId().value()).query(Long.class).optional().map(this::get)
                .orElseThrow(() -> DomainProblem.notFound("invoice_not_found", "invoice"));
        return invoice;
    }

    /** A summary row of the lists (no lines). */
    public record Summary(long id, AccountId master, String number, Invoice.Kind kind, BillingPeriod period,
            String masterName, String currency, long totalMinor, Instant issuedAt) {
    }

    private static Summary summary(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Summary(rs.getLong("id"), new AccountId(rs.getObject("account_id", UUID.class)), rs.getString("number"),
                Invoice.Kind.valueOf(rs.getString("kind")), new BillingPeriod(rs.getObject("period_start", LocalDate.class)),
                rs.getString("master_name"), rs.getString("currency"), rs.getLong("total_minor"),
                Times.instant(rs, "issued_at"));
    }

    private static final String SUMMARY = """
            select id, account_id, number, kind, period_start, master_name, currency, total_minor, issued_at
            from billing_invoice""";

    /** The caller's invoices and credit notes, newest first (masters only). */
    public List<Summary> list(Caller caller) {
        caller.requireMaster();
        return jdbc.sql(SUMMARY + " where account_id = ? order by seq desc limit 120").param(caller.accountId().value())
                .query(Invoices::summary).list();
    }

    /** Every master's, for the operator, newest first. */
    public PageOf<Summary> all(PageRequest page) {
        long total = jdbc.sql("select count(*) from billing_invoice").query(Long.class).single();
        List<Summary> items = jdbc.sql(SUMMARY + " order by seq desc limit ? offset ?")
                .params(page.size(), page.offset()).query(Invoices::summary).list();
        return new PageOf<>(items, page.page(), page.size(), total);
    }
}
