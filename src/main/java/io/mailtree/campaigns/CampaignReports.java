package io.mailtree.campaigns;

import io.mailtree.accounts.AccountTree;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.SqlLists;
import io.mailtree.shared.Times;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Reads campaign reports (ADR 0027): one campaign's, scoped by its account like every campaign read
 * (another account's id answers {@code campaign_not_found}), and a master's view across its
 * sub-accounts' campaigns (D-25), per e-mail and per sub-account. Both read the counters that
 * {@link CampaignReportCounters} keeps; nothing is counted here.
 */
@Service
public class CampaignReports {

    /** How many of the sub-accounts' newest campaigns the cross-sub-account view lists. */
    static final int CROSS_VIEW_LIMIT = 500;

    private static final String COUNTS = """
            coalesce(r.sent, 0) sent, coalesce(r.delivered, 0) delivered, coalesce(r.opens_unique, 0) opens_unique,
            coalesce(r.opens_total, 0) opens_total, coalesce(r.machine_opens_unique, 0) machine_opens_unique,
            coalesce(r.machine_opens_total, 0) machine_opens_total, coalesce(r.clicks_unique, 0) clicks_unique,
            coalesce(r.clicks_total, 0) clicks_total, coalesce(r.unsubscribes, 0) unsubscribes,
            coalesce(r.hard_bounces, 0) hard_bounces, coalesce(r.soft_bounces, 0) soft_bounces,
            coalesce(r.complaints, 0) complaints""";

    private final JdbcClient jdbc;
    private final Campaigns campaigns;
    private final AccountTree tree;
    private final CampaignAbTests abTests;

    CampaignReports(JdbcClient jdbc, Campaigns campaigns, AccountTree tree, CampaignAbTests abTests) {
        this.abTests = abTests;
        this.jdbc = jdbc;
        this.campaigns = campaigns;
        this.tree = tree;
    }

    /** The report of one of the account's campaigns. */
    public CampaignReport report(AccountId account, long campaignId) {
        Campaign campaign = campaigns.get(account, campaignId);
        CampaignReport.Counts counts = jdbc.sql("select " + COUNTS
                + " from campaign c left join campaign_report r on r.campaign_id = c.id where c.account_id = ? and c.id = ?")
                .params(account.value(), campaignId).query((rs, n) -> counts(rs)).single();
        List<CampaignReport.LinkClicks> links = jdbc.sql("""
                select l.link_index, l.url, coalesce(k.clicks_unique, 0), coalesce(k.clicks_total, 0)
                from campaign_link l left join campaign_report_link k
                    on k.campaign_id = l.campaign_id and k.link_index = l.link_index
                where l.campaign_id = ? and l.account_id = ? order by l.link_index""")
                .params(campaignId, account.value())
                .query((rs, n) -> new CampaignReport.LinkClicks(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getLong(4)))
                .list();
        List<CampaignReport.Hour> hours = jdbc.sql("""
                select hour_start, delivered, opens, machine_opens, clicks, unsubscribes, bounces, complaints
                from campaign_report_hour where campaign_id = ? and account_id = ? order by hour_start""")
                .params(campaignId, account.value())
                .query((rs, n) -> new CampaignReport.Hour(Times.instant(rs, "hour_start"), rs.getLong(2), rs.getLong(3),
                        rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8)))
                .list();
        return new CampaignReport(campaign, counts, links, hours, abTest(campaignId));
    }

    /** The campaign's A/B test and its variants' figures (ADR 0031), null when it has none. */
    private CampaignReport.AbResult abTest(long campaignId) {
        return abTests.state(campaignId).map(state -> {
            String winner = state.winner() == null ? null : CampaignAbTests.letter(state.winner());
            List<CampaignReport.VariantFigures> variants = jdbc.sql("""
                    select v.variant_index, coalesce(v.subject, c.subject), v.sent, v.delivered, v.opens_unique,
                        v.opens_total, v.clicks_unique, v.clicks_total, v.judged_sent, v.judged_count
                    from campaign_variant v join campaign c on c.id = v.campaign_id
                    where v.campaign_id = ? order by v.variant_index""").param(campaignId)
                    .query((rs, n) -> {
                        Long judgedSent = rs.getObject(9, Long.class);
                        Long judgedCount = rs.getObject(10, Long.class);
                        Double rate = judgedSent == null ? null
                                : judgedSent == 0 ? 0.0 : Math.round(judgedCount * 1000.0 / judgedSent) / 10.0;
                        return new CampaignReport.VariantFigures(CampaignAbTests.letter(rs.getInt(1)), rs.getString(2),
                                rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8),
                                judgedSent, judgedCount, rate, state.winner() != null && state.winner() == rs.getInt(1));
                    }).list();
            String reason = state.winner() == null ? null : state.tie() ? "tie_first_variant" : "highest_rate";
            return new CampaignReport.AbResult(state.phase().name(), state.rule(), state.percent(), state.waitHours(),
                    state.judgeAt(), winner, reason, state.judgedAt(), variants);
        }).orElse(null);
    }

    /**
     * The report of a campaign of one of the caller's sub-accounts, for its master (D-25); any other
     * account, and a sub-account asking for its master or a sibling, is answered not found.
     */
    public CampaignReport subaccountReport(Caller caller, AccountId subaccount, long campaignId) {
        if (!caller.master()) {
            throw io.mailtree.shared.DomainProblem.notFound("campaign_not_found", "campaign");
        }
        tree.subaccount(caller.accountId(), subaccount);
        return report(subaccount, campaignId);
    }

    /** One campaign of a sub-account, in the master's view. */
    public record SubaccountCampaign(AccountId account, String accountName, Campaign campaign,
            CampaignReport.Counts counts) {
    }

    /** One sub-account's campaigns summed. */
    public record SubaccountTotals(AccountId account, String accountName, int campaigns, CampaignReport.Counts counts) {
    }

    /** The master's view across its sub-accounts (D-25): their campaigns, newest first, and the sums per sub-account. */
    public record CrossView(List<SubaccountCampaign> campaigns, List<SubaccountTotals> subaccounts,
            CampaignReport.Counts total) {
    }

    /** D-25 for the caller's master account; a sub-account (or anyone not a master) is refused. */
    public CrossView acrossSubaccounts(Caller caller) {
        AccountId master = tree.master(caller).id();
        List<AccountId> subs = tree.subaccountIds(master);
        if (subs.isEmpty()) {
            return new CrossView(List.of(), List.of(), CampaignReport.Counts.NONE);
        }
        Map<AccountId, String> names = tree.namesOf(subs);
        List<SubaccountCampaign> rows = new ArrayList<>();
        for (int from = 0; from < subs.size() && rows.size() < CROSS_VIEW_LIMIT; from += 500) {
            List<AccountId> chunk = subs.subList(from, Math.min(subs.size(), from + 500));
            rows.addAll(jdbc.sql("select c.*, " + COUNTS + " from campaign c left join campaign_report r on r.campaign_id = c.id"
                    + " where c.account_id in (" + SqlLists.placeholders(chunk.size()) + ") order by c.id desc limit "
                    + CROSS_VIEW_LIMIT)
                    .params(chunk.stream().map(a -> (Object) a.value()).toList())
                    .query((rs, n) -> {
                        AccountId account = new AccountId(rs.getObject("account_id", java.util.UUID.class));
                        return new SubaccountCampaign(account, names.getOrDefault(account, ""), Campaigns.map(rs),
                                counts(rs));
                    }).list());
        }
        rows.sort((a, b) -> Long.compare(b.campaign().id(), a.campaign().id()));
        List<SubaccountCampaign> shown = rows.size() > CROSS_VIEW_LIMIT ? rows.subList(0, CROSS_VIEW_LIMIT) : rows;
        Map<AccountId, SubaccountTotals> totals = new LinkedHashMap<>();
        CampaignReport.Counts all = CampaignReport.Counts.NONE;
        for (SubaccountCampaign row : shown) {
            totals.merge(row.account(), new SubaccountTotals(row.account(), row.accountName(), 1, row.counts()),
                    (a, b) -> new SubaccountTotals(a.account(), a.accountName(), a.campaigns() + 1,
                            a.counts().plus(b.counts())));
            all = all.plus(row.counts());
        }
        List<SubaccountTotals> perSub = new ArrayList<>(totals.values());
        perSub.sort(java.util.Comparator.comparing(SubaccountTotals::accountName));
        return new CrossView(shown, perSub, all);
    }

    /** The report as CSV (RFC 4180): the counters, then the links, then the hours. */
    public static String csv(CampaignReport report) {
        StringBuilder out = new StringBuilder();
        CampaignReport.Counts c = report.counts();
        out.append("campaign_id,name,sent,delivered,opens_unique,opens_total,machine_opens_unique,machine_opens_total,"
                + "clicks_unique,clicks_total,unsubscribes,hard_bounces,soft_bounces,complaints\r\n");
        out.append(report.campaign().id()).append(',').append(quote(report.campaign().name())).append(',')
                .append(c.sent()).append(',').append(c.delivered()).append(',').append(c.opensUnique()).append(',')
                .append(c.opensTotal()).append(',').append(c.machineOpensUnique()).append(',')
                .append(c.machineOpensTotal()).append(',').append(c.clicksUnique()).append(',').append(c.clicksTotal())
                .append(',').append(c.unsubscribes()).append(',').append(c.hardBounces()).append(',')
                .append(c.softBounces()).append(',').append(c.complaints()).append("\r\n\r\n");
        out.append("link_index,url,clicks_unique,clicks_total\r\n");
        for (CampaignReport.LinkClicks link : report.links()) {
            out.append(link.index()).append(',').append(quote(link.url())).append(',').append(link.clicksUnique())
                    .append(',').append(link.clicksTotal()).append("\r\n");
        }
        out.append("\r\nhour_utc,delivered,opens,machine_opens,clicks,unsubscribes,bounces,complaints\r\n");
        for (CampaignReport.Hour h : report.hours()) {
            out.append(h.start()).append(',').append(h.delivered()).append(',').append(h.opens()).append(',')
                    .append(h.machineOpens()).append(',').append(h.clicks()).append(',').append(h.unsubscribes())
                    .append(',').append(h.bounces()).append(',').append(h.complaints()).append("\r\n");
        }
        if (report.abTest() != null) {
            // ADR 0031: each variant's test-share counters and the figures it was judged on.
            CampaignReport.AbResult ab = report.abTest();
            out.append("\r\nvariant,subject,sent,delivered,opens_unique,opens_total,clicks_unique,clicks_total,"
                    + "judged_sent,judged_count,judged_rate,winner,rule,reason\r\n");
            for (CampaignReport.VariantFigures v : ab.variants()) {
                out.append(v.variant()).append(',').append(quote(v.subject())).append(',').append(v.sent()).append(',')
                        .append(v.delivered()).append(',').append(v.opensUnique()).append(',').append(v.opensTotal())
                        .append(',').append(v.clicksUnique()).append(',').append(v.clicksTotal()).append(',')
                        .append(v.judgedSent() == null ? "" : v.judgedSent()).append(',')
                        .append(v.judgedCount() == null ? "" : v.judgedCount()).append(',')
                        .append(v.judgedRate() == null ? "" : v.judgedRate()).append(',').append(v.winner()).append(',')
                        .append(ab.rule()).append(',').append(ab.reason() == null ? "" : ab.reason()).append("\r\n");
            }
        }
        return out.toString();
    }

    /** A CSV field; one that a spreadsheet would read as a formula is prefixed with an apostrophe. */
    private static String quote(String value) {
        String text = value == null ? "" : value;
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        return "\"" + text.replace("\"", "\"\"") + "\"";
    }

    private static CampaignReport.Counts counts(ResultSet rs) throws SQLException {
        return new CampaignReport.Counts(rs.getLong("sent"), rs.getLong("delivered"), rs.getLong("opens_unique"),
                rs.getLong("opens_total"), rs.getLong("machine_opens_unique"), rs.getLong("machine_opens_total"),
                rs.getLong("clicks_unique"), rs.getLong("clicks_total"), rs.getLong("unsubscribes"),
                rs.getLong("hard_bounces"), rs.getLong("soft_bounces"), rs.getLong("complaints"));
    }
}
