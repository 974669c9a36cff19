package io.mailtree.campaigns;

import io.mailtree.contacts.ContactLists;
import io.mailtree.content.Email;
import io.mailtree.content.EmailType;
import io.mailtree.content.Emails;
import io.mailtree.content.TemplateLanguage;
import io.mailtree.delivery.MessageHolds;
import io.mailtree.delivery.MessageQueue;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.FieldChecks;
import io.mailtree.shared.PageOf;
import io.mailtree.shared.PageRequest;
import io.mailtree.shared.Times;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Campaigns' commands and reads: create (send now or schedule in a time zone), pause, resume,
 * cancel, each a guarded transition of {@link CampaignStatus} in one transaction (ADR 0024). Every
 * query is scoped by the account: another account's campaign id answers {@code campaign_not_found}.
 */
@Service
public class Campaigns {

    private final JdbcClient jdbc;
    private final Emails emails;
    private final ContactLists lists;
    private final TemplateLanguage language;
    private final MessageHolds holds;
    private final MessageQueue queue;
    private final CampaignFanOut trigger;
    private final CampaignLinks links;
    private final CampaignWebhooks webhooks;
    private final CampaignAbTests abTests;
    private final Clock clock;
    private final SenderRequirements requirements;
    private final TransactionTemplate transactions;

    Campaigns(JdbcClient jdbc, Emails emails, ContactLists lists, TemplateLanguage language, MessageHolds holds,
            MessageQueue queue, CampaignFanOut trigger, CampaignLinks links, CampaignWebhooks webhooks, Clock clock,
            SenderRequirements requirements, PlatformTransactionManager transactionManager, CampaignAbTests abTests) {
        this.requirements = requirements;
        this.transactions = new TransactionTemplate(transactionManager);
        this.abTests = abTests;
        this.links = links;
        this.webhooks = webhooks;
        this.jdbc = jdbc;
        this.emails = emails;
        this.lists = lists;
        this.language = language;
        this.holds = holds;
        this.queue = queue;
        this.trigger = trigger;
        this.clock = clock;
    }

    /**
     * What a campaign is created from. {@code sendAt} is a local date-time ({@code 2027-03-28T09:00}) in
     * {@code timeZone} (an IANA zone, UTC when blank), or blank to send now; {@code listIds} defaults to
     * the e-mail's own lists.
     */
    public record CampaignRequest(Long emailId, String name, List<Long> listIds, String sendAt, String timeZone) {
    }

    /** An IANA time zone, UTC when blank; refused with {@code invalid_time_zone}. */
    static ZoneId zoneOf(String timeZone) {
        try {
            return timeZone == null || timeZone.isBlank() ? ZoneId.of("UTC") : ZoneId.of(timeZone.strip());
        } catch (DateTimeException unknown) {
            throw DomainProblem.invalid("invalid_time_zone", "not a time zone: " + clip(timeZone), clip(timeZone))
                    .with("field", "timeZone");
        }
    }

    /**
     * The instant a local date-time in a zone names. Across a daylight-saving change the zone's rules
     * decide: a time in the spring gap moves forward by the gap (02:30 becomes 03:30), a time in the
     * autumn overlap takes the earlier offset (java.time's rules, which is what a calendar does).
     */
    static Instant instantOf(String sendAt, String timeZone) {
        ZoneId zone = zoneOf(timeZone);
        if (sendAt == null) {
            throw DomainProblem.invalid("invalid_send_at", "sendAt is a local date-time such as 2027-03-28T09:00")
                    .with("field", "sendAt");
        }
        try {
            return LocalDateTime.parse(sendAt.strip()).atZone(zone).toInstant();
        } catch (DateTimeParseException invalid) {
            throw DomainProblem.invalid("invalid_send_at", "sendAt is a local date-time such as 2027-03-28T09:00")
                    .with("field", "sendAt");
        }
    }

    /**
     * Creates a campaign, refused with {@code sender_not_aligned} unless the From domain meets what
     * mailbox providers require of bulk senders ({@link SenderRequirements}). A stale DNS verification
     * is refreshed first, outside the transaction (no network call inside one); the refusal itself is
     * judged inside it from the stored results.
     */
    public Campaign create(AccountId account, CampaignRequest request) {
        if (request != null && request.emailId() != null) {
            String from;
            try {
                from = emails.get(account, request.emailId()).fromEmail();
            } catch (DomainProblem notFound) {
                from = null; // refused below, in the transaction, with its own code
            }
            if (from != null) {
                requirements.refreshIfStale(account, from);
            }
        }
        return transactions.execute(status -> createChecked(account, request));
    }

    /**
     * Checks every field before refusing any (FieldChecks), so the page shows all that is wrong beside
     * each field at once and the API lists them in {@code errors}; the first refusal stays the code.
     */
    private Campaign createChecked(AccountId account, CampaignRequest request) {
        if (request == null) {
            throw DomainProblem.invalid("missing_email", "emailId is required").with("field", "emailId");
        }
        FieldChecks checks = new FieldChecks();
        Email email = checks.check("emailId", () -> sendableEmail(account, request.emailId()));
        List<Long> listIds = null;
        if (email != null || request.listIds() != null && !request.listIds().isEmpty()) {
            listIds = checks.check("listIds", () -> {
                List<Long> ids = List.copyOf(new LinkedHashSet<>(request.listIds() == null || request.listIds().isEmpty()
                        ? email.listIds() : request.listIds()));
                if (ids.isEmpty()) {
                    throw DomainProblem.invalid("no_lists", "choose at least one list").with("field", "listIds");
                }
                if (ids.size() > 50) {
                    throw DomainProblem.invalid("too_many_lists", "at most 50 lists").with("field", "listIds");
                }
                ids.forEach(id -> lists.get(account, id)); // another account's list answers list_not_found
                return ids;
            });
        }
        String zone = checks.check("timeZone", () -> zoneOf(request.timeZone()).getId());
        Instant now = clock.instant();
        boolean sendNow = request.sendAt() == null || request.sendAt().isBlank();
        Instant at = sendNow ? now : zone == null ? null : checks.check("sendAt", () -> {
            Instant instant = instantOf(request.sendAt(), zone);
            if (instant.isBefore(now)) {
                throw DomainProblem.invalid("send_at_in_past", "the scheduled time has passed").with("field", "sendAt");
            }
            return instant;
        });
        checks.throwIfAny(); // nothing is written before this line
        String name = request.name() == null || request.name().isBlank() ? email.name() : request.name().strip();
        if (name == null || name.isBlank()) {
            name = email.subject();
        }
        name = name.length() > 200 ? name.substring(0, 200) : name;
        UUID bulkId = UUID.randomUUID();
        jdbc.sql("""
                insert into campaign (account_id, email_id, name, status, list_ids, scheduled_at, time_zone, subject,
                    from_email, from_name, reply_to, html, text_body, bulk_id, created_at, updated_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(account.value(), email.id(), name, CampaignStatus.SCHEDULED.name(),
                        listIds.stream().map(String::valueOf).collect(Collectors.joining(",")), Times.sql(at), zone,
                        email.subject(), email.fromEmail(), email.fromName(), email.replyTo(), email.html(), email.text(),
                        bulkId, Times.sql(now), Times.sql(now))
                .update();
        Campaign created = byBulkId(bulkId);
        links.store(account, created.id(), email.html());
        if (email.type() == EmailType.AB_TEST && email.abTest() != null) {
            abTests.store(account, created.id(), email.abTest()); // ADR 0031
        }
        webhooks.moved(account, created, CampaignStatus.SCHEDULED);
        if (sendNow) {
            afterCommit(trigger::nudge);
        }
        return created;
    }

    /** The e-mail a campaign is made from: a complete draft (regular or A/B test, ADR 0031) whose From domain meets the bulk-sender requirements. */
    private Email sendableEmail(AccountId account, Long emailId) {
        if (emailId == null) {
            throw DomainProblem.invalid("missing_email", "emailId is required").with("field", "emailId");
        }
        Email email = emails.get(account, emailId);
        if (!email.missing().isEmpty() || !email.status().isEditable()) {
            throw DomainProblem.conflict("email_not_sendable", "only a complete draft can be sent")
                    .with("missing", email.missing());
        }
        requirements.check(account, email.fromEmail());
        // A template that does not compile would fail for every recipient: refuse it now.
        language.check(email.subject(), email.html(), email.text());
        return email;
    }

    public Campaign get(AccountId account, long id) {
        return jdbc.sql("select * from campaign where account_id = ? and id = ?").params(account.value(), id)
                .query((rs, n) -> map(rs)).optional()
                .orElseThrow(() -> DomainProblem.notFound("campaign_not_found", "campaign"));
    }

    public PageOf<Campaign> list(AccountId account, PageRequest page) {
        long total = jdbc.sql("select count(*) from campaign where account_id = ?").param(account.value())
                .query(Long.class).single();
        List<Campaign> items = jdbc.sql("select * from campaign where account_id = ? order by id desc limit ? offset ?")
                .params(account.value(), page.size(), page.offset()).query((rs, n) -> map(rs)).list();
        return new PageOf<>(items, page.page(), page.size(), total);
    }

    /** A campaign's progress: recipients counted, messages queued and delivered, and the share delivered. */
    public record Progress(Campaign campaign, int total, int queued, int delivered, int failed, int percent) {
    }

    public Progress progress(AccountId account, Campaign campaign) {
        Map<String, Integer> counts = queue.bulkCounts(account, campaign.bulkId());
        int delivered = counts.getOrDefault("DELIVERED", 0);
        int failed = counts.getOrDefault("BOUNCED", 0) + counts.getOrDefault("FAILED", 0)
                + counts.getOrDefault("SUPPRESSED", 0);
        int total = campaign.recipientTotal() == null ? 0 : campaign.recipientTotal();
        int done = delivered + failed;
        int percent = campaign.status() == CampaignStatus.SENT && campaign.queuedCount() == 0 ? 100
                : total == 0 ? 0 : Math.min(100, done * 100 / Math.max(total, campaign.queuedCount()));
        return new Progress(campaign, total, campaign.queuedCount(), delivered, failed, percent);
    }

    /** Stops the fan-out and holds the campaign's queued mail until it is resumed. */
    @Transactional
    public Campaign pause(AccountId account, long id) {
        Campaign campaign = lock(account, id);
        campaign.requireCanMoveTo(CampaignStatus.PAUSED);
        move(campaign, CampaignStatus.PAUSED);
        webhooks.moved(account, campaign, CampaignStatus.PAUSED);
        holds.holdBulk(campaign.bulkId(), "campaign paused");
        return get(account, id);
    }

    /** Resumes a paused campaign: its held mail goes back to the queue and the fan-out goes on from its cursor. */
    @Transactional
    public Campaign resume(AccountId account, long id) {
        Campaign campaign = lock(account, id);
        campaign.requireCanMoveTo(CampaignStatus.SENDING);
        if (campaign.status() != CampaignStatus.PAUSED) {
            throw DomainProblem.conflict("campaign_transition_refused", "only a paused campaign can be resumed",
                    campaign.status().name().toLowerCase(), "sending").with("status", campaign.status().name())
                    .with("target", CampaignStatus.SENDING.name());
        }
        move(campaign, CampaignStatus.SENDING);
        webhooks.moved(account, campaign, CampaignStatus.SENDING);
        holds.releaseBulk(campaign.bulkId(), "campaign resumed");
        afterCommit(trigger::nudge);
        return get(account, id);
    }

    /**
     * Cancels a scheduled, sending or paused campaign. The row lock orders it against the fan-out's
     * batches: a batch that committed first is held here with the rest, a batch after this commit sees
     * CANCELLED and queues nothing. A batch a delivery worker already claimed stops at its next message
     * once the hold commits; only a message the relay was already being handed goes out (ADR 0032).
     */
    @Transactional
    public Campaign cancel(AccountId account, long id) {
        Campaign campaign = lock(account, id);
        campaign.requireCanMoveTo(CampaignStatus.CANCELLED);
        move(campaign, CampaignStatus.CANCELLED);
        webhooks.moved(account, campaign, CampaignStatus.CANCELLED);
        holds.holdBulk(campaign.bulkId(), "campaign cancelled");
        return get(account, id);
    }

    private Campaign lock(AccountId account, long id) {
        return jdbc.sql("select * from campaign where account_id = ? and id = ? for update").params(account.value(), id)
                .query((rs, n) -> map(rs)).optional()
                .orElseThrow(() -> DomainProblem.notFound("campaign_not_found", "campaign"));
    }

    private void move(Campaign campaign, CampaignStatus target) {
        Instant now = clock.instant();
        jdbc.sql("update campaign set status = ?, updated_at = ?, finished_at = ? where id = ?")
                .params(target.name(), Times.sql(now), target.isFinal() ? Times.sql(now) : null, campaign.id())
                .update();
    }

    private Campaign byBulkId(UUID bulkId) {
        return jdbc.sql("select * from campaign where bulk_id = ?").param(bulkId).query((rs, n) -> map(rs)).single();
    }

    private static void afterCommit(Runnable action) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
    }

    static Campaign map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Campaign(rs.getLong("id"), rs.getLong("email_id"), rs.getString("name"),
                CampaignStatus.valueOf(rs.getString("status")),
                Arrays.stream(rs.getString("list_ids").split(",")).map(Long::valueOf).toList(),
                Times.instant(rs, "scheduled_at"), rs.getString("time_zone"), rs.getObject("bulk_id", UUID.class),
                rs.getLong("fanout_cursor"), (Integer) rs.getObject("recipient_total"), rs.getInt("queued_count"),
                Times.instant(rs, "created_at"), Times.instant(rs, "started_at"), Times.instant(rs, "finished_at"));
    }

    private static String clip(String text) {
        return text == null ? "" : text.length() > 64 ? text.substring(0, 64) : text.replaceAll("[\\r\\n]", " ");
    }
}
