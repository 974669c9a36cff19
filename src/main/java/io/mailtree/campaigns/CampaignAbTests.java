package io.mailtree.campaigns;

import io.mailtree.content.AbTest;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A campaign's A/B test (ADR 0031): which contacts are in the test share and which variant each gets,
 * the judgement after the wait, and the figures that explain it.
 *
 * <p>Assignment is a function of (campaign, contact) only: a crash and a resume from the fan-out's
 * cursor give everyone the variant they would have had. The judgement reads the per-variant counters
 * the report consumer keeps and compares the unique opens (or clicks) per test message sent; the
 * highest rate wins, and on a tie the variant that comes first (A before B) wins, so the outcome never
 * depends on the order rows come back in.
 */
@Component
class CampaignAbTests {

    private static final Logger log = LoggerFactory.getLogger(CampaignAbTests.class);

    enum Phase { TEST, WAITING, REST }

    /** A campaign's test as it stands. */
    record State(Phase phase, int percent, String rule, int waitHours, Instant judgeAt, Integer winner, boolean tie,
            Instant judgedAt) {
    }

    /** A variant as the campaign holds it; null parts inherit the campaign's own. */
    record Variant(int index, String subject, String fromName, String html) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;
    private final TransactionTemplate transactions;

    CampaignAbTests(JdbcClient jdbc, Clock clock, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /** The letter a variant is shown by: A, B, C, ... */
    static String letter(int index) {
        return String.valueOf((char) ('A' + index));
    }

    /** Copies the e-mail's test onto a new campaign (its caller's transaction): later edits of the draft change nothing. */
    void store(AccountId account, long campaignId, AbTest test) {
        jdbc.sql("update campaign set ab_phase = ?, ab_percent = ?, ab_rule = ?, ab_wait_hours = ? where id = ?")
                .params(Phase.TEST.name(), test.testPercent(), test.winnerRule().toUpperCase(Locale.ROOT), test.waitHours(),
                        campaignId)
                .update();
        for (int i = 0; i < test.variants().size(); i++) {
            AbTest.Variant v = test.variants().get(i);
            jdbc.sql("insert into campaign_variant (campaign_id, variant_index, account_id, subject, from_name, html)"
                    + " values (?, ?, ?, ?, ?, ?)")
                    .params(campaignId, i, account.value(), v.subject(), v.fromName(), v.html()).update();
        }
    }

    Optional<State> state(long campaignId) {
        return jdbc.sql("""
                select ab_phase, ab_percent, ab_rule, ab_wait_hours, ab_judge_at, ab_winner, ab_tie, ab_judged_at
                from campaign where id = ? and ab_phase is not null""").param(campaignId)
                .query((rs, n) -> new State(Phase.valueOf(rs.getString(1)), rs.getInt(2), rs.getString(3), rs.getInt(4),
                        Times.instant(rs, "ab_judge_at"), (Integer) rs.getObject(6), Boolean.TRUE.equals(rs.getObject(7)),
                        Times.instant(rs, "ab_judged_at")))
                .optional();
    }

    List<Variant> variants(long campaignId) {
        return jdbc.sql("select variant_index, subject, from_name, html from campaign_variant where campaign_id = ?"
                + " order by variant_index").param(campaignId)
                .query((rs, n) -> new Variant(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4))).list();
    }

    /** A well-mixed 64-bit value of (campaign, contact) (SplitMix64's finaliser): stable across JVMs and restarts. */
    private static long mix(long campaignId, long contactId) {
        long z = campaignId * 0x9E3779B97F4A7C15L + contactId;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Whether the contact is in the campaign's test share of {@code percent} percent. */
    static boolean inTestShare(long campaignId, long contactId, int percent) {
        return Math.floorMod(mix(campaignId, contactId), 100L) < percent;
    }

    /** The variant a contact of the test share gets, of {@code count}. */
    static int variantOf(long campaignId, long contactId, int count) {
        return (int) Math.floorMod(mix(campaignId, contactId) >>> 17, (long) count);
    }

    /** The test share is out: the judgement is due after the wait (in the fan-out's transaction). */
    void startWaiting(long campaignId, int waitHours) {
        Instant now = clock.instant();
        jdbc.sql("update campaign set ab_phase = ?, ab_judge_at = ?, fanout_cursor = 0, updated_at = ? where id = ?")
                .params(Phase.WAITING.name(), Times.sql(now.plus(Duration.ofHours(waitHours))), Times.sql(now), campaignId)
                .update();
    }

    /**
     * Judges every sending campaign whose wait has passed (by the injected clock). A paused or
     * cancelled campaign is not judged: a resumed one is judged at the next pass. Each judgement is one
     * transaction under the campaign's row lock, which re-checks the phase, so two nodes judge once.
     * Answers how many were judged.
     */
    int judgeDue() {
        Instant now = clock.instant();
        List<Long> due = jdbc.sql("select id from campaign where status = ? and ab_phase = ? and ab_judge_at <= ? order by id")
                .params(CampaignStatus.SENDING.name(), Phase.WAITING.name(), Times.sql(now)).query(Long.class).list();
        int judged = 0;
        for (long id : due) {
            Boolean done = transactions.execute(tx -> judge(id, now));
            if (Boolean.TRUE.equals(done)) {
                judged++;
            }
        }
        return judged;
    }

    /** One variant's figures at the judgement: test messages sent and the rule's unique count. */
    record Figures(int index, long sent, long count) {
    }

    private boolean judge(long campaignId, Instant now) {
        Optional<String> rule = jdbc.sql("select ab_rule from campaign where id = ? and status = ? and ab_phase = ? for update")
                .params(campaignId, CampaignStatus.SENDING.name(), Phase.WAITING.name()).query(String.class).optional();
        if (rule.isEmpty()) {
            return false;
        }
        String column = "CLICKS".equals(rule.get()) ? "clicks_unique" : "opens_unique";
        List<Figures> figures = jdbc.sql("select variant_index, sent, " + column + " from campaign_variant"
                + " where campaign_id = ? order by variant_index").param(campaignId)
                .query((rs, n) -> new Figures(rs.getInt(1), rs.getLong(2), rs.getLong(3))).list();
        Winner winner = winner(figures);
        for (Figures f : figures) {
            jdbc.sql("update campaign_variant set judged_sent = ?, judged_count = ? where campaign_id = ? and variant_index = ?")
                    .params(f.sent(), f.count(), campaignId, f.index()).update();
        }
        jdbc.sql("""
                update campaign set ab_phase = ?, ab_winner = ?, ab_tie = ?, ab_judged_at = ?, fanout_cursor = 0,
                    updated_at = ? where id = ?""")
                .params(Phase.REST.name(), winner.index(), winner.tie(), Times.sql(now), Times.sql(now), campaignId)
                .update();
        log.info("campaign {}: variant {} wins by {} ({}){}", campaignId, letter(winner.index()), rule.get(), figures,
                winner.tie() ? ", a tie: the first variant wins" : "");
        return true;
    }

    record Winner(int index, boolean tie) {
    }

    /**
     * The highest rate (count / sent, compared by cross-multiplying, so exact) wins; a variant that
     * sent nothing has rate 0; on a tie at the top the first variant of those tied wins.
     */
    static Winner winner(List<Figures> figures) {
        List<Figures> sorted = new ArrayList<>(figures);
        Figures best = sorted.get(0);
        boolean tie = false;
        for (Figures f : sorted.subList(1, sorted.size())) {
            int compared = compare(f, best);
            if (compared > 0) {
                best = f;
                tie = false;
            } else if (compared == 0) {
                tie = true;
            }
        }
        return new Winner(best.index(), tie);
    }

    private static int compare(Figures a, Figures b) {
        // a.count/a.sent versus b.count/b.sent; a variant that sent nothing has a rate of 0.
        if (a.sent() == 0 || b.sent() == 0) {
            return Long.compare(Long.signum(a.sent() == 0 ? 0 : a.count()), Long.signum(b.sent() == 0 ? 0 : b.count()));
        }
        return Long.compare(a.count() * b.sent(), b.count() * a.sent());
    }
}
