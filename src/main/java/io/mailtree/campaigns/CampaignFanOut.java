package io.mailtree.campaigns;

import io.mailtree.contacts.Contact;
import io.mailtree.contacts.Contacts;
import io.mailtree.content.EmailStatus;
import io.mailtree.content.Emails;
import io.mailtree.content.HtmlText;
import io.mailtree.content.TemplateLanguage;
import io.mailtree.delivery.BulkMessage;
import io.mailtree.delivery.MessageQueue;
import io.mailtree.keys.ApiKey;
import io.mailtree.keys.ApiKeys;
import io.mailtree.keys.KeyLabel;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.ApiKeyId;
import io.mailtree.shared.Caller;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.PeriodicTask;
import io.mailtree.shared.Times;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The fan-out (ADR 0024): starts due campaigns, then streams each sending campaign's recipients into
 * delivery's queue one batch a transaction. A batch is read after the stored cursor (the last contact
 * id queued), rendered per recipient outside any transaction, then queued together with its
 * {@code campaign_recipient} rows and the cursor's move in one commit, under the campaign's row lock:
 * a crash loses at most the batch in flight, which is queued again after the restart, and the
 * primary key (campaign, contact) makes a second queueing of anyone impossible. Memory holds one
 * batch, whatever the size of the lists.
 */
@Component
public class CampaignFanOut {

    private static final Logger log = LoggerFactory.getLogger(CampaignFanOut.class);

    /** The largest batch: one batch is one transaction, which must stay short. */
    static final int MAX_BATCH_SIZE = 5_000;

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final Contacts contacts;
    private final Emails emails;
    private final TemplateLanguage language;
    private final MessageQueue queue;
    private final ApiKeys keys;
    private final UnsubscribeLinks links;
    private final TrackingLinks tracking;
    private final CampaignLinks campaignLinks;
    private final CampaignWebhooks webhooks;
    private final CampaignAbTests abTests;
    private final boolean trackingEnabled;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private final int batchSize;
    private final Duration every;
    private final PeriodicTask task = new PeriodicTask("campaign-fan-out", log);
    private final Object running = new Object();

    /**
     * Called inside each batch's transaction after its messages are queued and before it commits; a
     * test makes it throw to stand for a process that dies there (the transaction rolls back as a
     * crash would leave it).
     */
    volatile java.util.function.IntConsumer beforeBatchCommit = batch -> { };

    CampaignFanOut(JdbcClient jdbc, JdbcTemplate jdbcTemplate, Contacts contacts, Emails emails,
            TemplateLanguage language, MessageQueue queue, ApiKeys keys, UnsubscribeLinks links, TrackingLinks tracking,
            CampaignLinks campaignLinks, CampaignWebhooks webhooks, CampaignAbTests abTests,
            @Value("${mailtree.tracking.enabled:true}") boolean trackingEnabled,
            Clock clock, PlatformTransactionManager transactionManager,
            @Value("${mailtree.campaigns.batch-size:500}") int batchSize,
            @Value("${mailtree.campaigns.fan-out-every:2s}") Duration every) {
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("mailtree.campaigns.batch-size must be 1 to " + MAX_BATCH_SIZE);
        }
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.contacts = contacts;
        this.emails = emails;
        this.language = language;
        this.queue = queue;
        this.keys = keys;
        this.links = links;
        this.tracking = tracking;
        this.campaignLinks = campaignLinks;
        this.webhooks = webhooks;
        this.abTests = abTests;
        this.trackingEnabled = trackingEnabled;
        this.clock = clock;
        this.transactions = new TransactionTemplate(transactionManager);
        this.batchSize = batchSize;
        this.every = every;
    }

    @PostConstruct
    void start() {
        if (!every.isZero() && !every.isNegative()) {
            task.start(every, this::runOnce);
        }
    }

    @PreDestroy
    void stop() {
        task.stop();
    }

    /** Wakes the fan-out now (a campaign sent now or resumed), on a thread of its own. */
    void nudge() {
        if (task.isRunning()) {
            Thread thread = new Thread(this::runQuietly, "campaign-fan-out-nudge");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void runQuietly() {
        try {
            runOnce();
        } catch (RuntimeException failure) {
            log.warn("campaign fan-out failed; trying again later", failure);
        }
    }

    /** One pass: starts the due campaigns, then fans each sending one out to its end (or its pause or cancel). */
    public void runOnce() {
        synchronized (running) {
            Instant now = clock.instant();
            List<Campaign> due = jdbc.sql("select * from campaign where status = ? and scheduled_at <= ? order by scheduled_at")
                    .params(CampaignStatus.SCHEDULED.name(), Times.sql(now)).query((rs, n) -> Campaigns.map(rs)).list();
            for (Campaign campaign : due) {
                start(campaign);
            }
            // ADR 0031: A/B tests whose wait has passed get their winner, and their rest goes out in this pass.
            abTests.judgeDue();
            List<Campaign> sending = jdbc.sql("select * from campaign where status = ? order by id")
                    .param(CampaignStatus.SENDING.name()).query((rs, n) -> Campaigns.map(rs)).list();
            for (Campaign campaign : sending) {
                try {
                    fanOut(campaign.id());
                } catch (DomainProblem refused) {
                    // Credits short, key paused, sender unconfirmed: the campaign waits at its cursor.
                    log.info("campaign {} waits: {} ({})", campaign.id(), refused.getMessage(), refused.code());
                } catch (RuntimeException failed) {
                    // Its batch rolled back; it is tried again from its cursor next pass, and the others go on.
                    log.warn("campaign {} fan-out failed; retrying from its cursor", campaign.id(), failed);
                }
            }
        }
    }

    /** SCHEDULED → SENDING, with the recipients counted for the progress bar. */
    private void start(Campaign campaign) {
        AccountId account = accountOf(campaign.id());
        int total = contacts.countSubscribedInLists(account, campaign.listIds());
        transactions.executeWithoutResult(status -> {
            Instant now = clock.instant();
            int moved = jdbc.sql("update campaign set status = ?, started_at = ?, recipient_total = ?, updated_at = ? where id = ? and status = ?")
                    .params(CampaignStatus.SENDING.name(), Times.sql(now), total, Times.sql(now), campaign.id(),
                            CampaignStatus.SCHEDULED.name())
                    .update();
            if (moved == 1) {
                webhooks.moved(account, campaign, CampaignStatus.SENDING);
            }
        });
    }

    /** Queues batch after batch until the recipients end or the campaign stops sending; answers how many batches. */
    int fanOut(long campaignId) {
        int batches = 0;
        while (fanOutBatch(campaignId, batches + 1)) {
            batches++;
        }
        return batches;
    }

    /** What the row lock saw when a batch was about to be queued. */
    private record Locked(CampaignStatus status, long cursor, String abPhase) {
    }

    /** One batch; answers whether there may be more. */
    boolean fanOutBatch(long campaignId, int batchNumber) {
        Campaign campaign = jdbc.sql("select * from campaign where id = ?").param(campaignId)
                .query((rs, n) -> Campaigns.map(rs)).single();
        if (campaign.status() != CampaignStatus.SENDING) {
            return false;
        }
        CampaignAbTests.State ab = abTests.state(campaignId).orElse(null);
        CampaignAbTests.Phase phase = ab == null ? null : ab.phase();
        if (phase == CampaignAbTests.Phase.WAITING) {
            return false; // the test share is out; the judge moves it on after the wait
        }
        AccountId account = accountOf(campaignId);
        List<Contact> recipients = contacts.subscribedInLists(account, campaign.listIds(), campaign.fanoutCursor(),
                batchSize);
        if (recipients.isEmpty()) {
            if (phase == CampaignAbTests.Phase.TEST) {
                startWaiting(campaign, ab);
            } else {
                finish(account, campaign);
            }
            return false;
        }
        Content content = content(campaignId);
        List<CampaignAbTests.Variant> variants = ab == null ? List.of() : abTests.variants(campaignId);
        // ADR 0031: in the test phase only the test share, each with its variant; in the rest phase everyone
        // the test did not already reach (a contact added to a list meanwhile included), with the winner.
        List<Contact> chosen = recipients;
        if (phase == CampaignAbTests.Phase.TEST) {
            chosen = recipients.stream()
                    .filter(c -> CampaignAbTests.inTestShare(campaignId, c.id(), ab.percent())).toList();
        } else if (phase == CampaignAbTests.Phase.REST) {
            Set<Long> reached = reached(campaignId, recipients);
            chosen = recipients.stream().filter(c -> !reached.contains(c.id())).toList();
        }
        Map<Integer, CampaignLinks.Link> tracked = trackingEnabled ? campaignLinks.of(campaignId) : Map.of();
        Map<Long, BulkMessage> rendered = new LinkedHashMap<>();
        for (Contact contact : chosen) {
            try {
                if (phase == CampaignAbTests.Phase.TEST) {
                    int v = CampaignAbTests.variantOf(campaignId, contact.id(), variants.size());
                    rendered.put(contact.id(), withVariant(render(account, campaign, content.with(variants.get(v)),
                            tracked, contact), v));
                } else if (phase == CampaignAbTests.Phase.REST) {
                    rendered.put(contact.id(), render(account, campaign, content.with(variants.get(ab.winner())),
                            tracked, contact));
                } else {
                    rendered.put(contact.id(), render(account, campaign, content, tracked, contact));
                }
            } catch (DomainProblem unrenderable) {
                // A recipient whose values break the template (its render limits): skipped, recorded, not retried.
                log.info("campaign {} skips contact {}: {}", campaignId, contact.id(), unrenderable.code());
            }
        }
        long last = recipients.get(recipients.size() - 1).id();
        List<Contact> recorded = chosen;
        Caller sender = sender(account);
        Boolean queued = transactions.execute(status -> {
            Locked locked = lockRow(campaignId);
            if (locked.status() != CampaignStatus.SENDING || locked.cursor() != campaign.fanoutCursor()
                    || !java.util.Objects.equals(locked.abPhase(), phase == null ? null : phase.name())) {
                return false; // paused or cancelled meanwhile, or another node queued this batch
            }
            List<BulkMessage> messages = new ArrayList<>(rendered.values());
            List<UUID> ids = queue.enqueueBulk(sender, campaign.bulkId(), messages);
            Map<Long, UUID> byContact = new HashMap<>();
            int i = 0;
            for (Long contactId : rendered.keySet()) {
                byContact.put(contactId, ids.get(i++));
            }
            List<Object[]> rows = new ArrayList<>(recorded.size());
            for (Contact contact : recorded) {
                rows.add(new Object[] {campaignId, contact.id(), account.value(), byContact.get(contact.id())});
            }
            if (!rows.isEmpty()) {
                jdbcTemplate.batchUpdate("insert into campaign_recipient (campaign_id, contact_id, account_id, message_id)"
                        + " values (?, ?, ?, ?)", rows);
            }
            jdbc.sql("update campaign set fanout_cursor = ?, queued_count = queued_count + ?, updated_at = ? where id = ?")
                    .params(last, ids.size(), Times.sql(clock.instant()), campaignId).update();
            beforeBatchCommit.accept(batchNumber);
            return true;
        });
        return Boolean.TRUE.equals(queued);
    }

    private Locked lockRow(long campaignId) {
        return jdbc.sql("select status, fanout_cursor, ab_phase from campaign where id = ? for update").param(campaignId)
                .query((rs, n) -> new Locked(CampaignStatus.valueOf(rs.getString(1)), rs.getLong(2), rs.getString(3)))
                .single();
    }

    /** The test share of an A/B test is queued: the campaign waits for its judgement (ADR 0031). */
    private void startWaiting(Campaign campaign, CampaignAbTests.State ab) {
        transactions.executeWithoutResult(status -> {
            Locked locked = lockRow(campaign.id());
            if (locked.status() == CampaignStatus.SENDING && locked.cursor() == campaign.fanoutCursor()
                    && CampaignAbTests.Phase.TEST.name().equals(locked.abPhase())) {
                abTests.startWaiting(campaign.id(), ab.waitHours());
            }
        });
    }

    /** Which of these contacts the campaign has already queued (the test share, in the rest phase). */
    private Set<Long> reached(long campaignId, List<Contact> recipients) {
        List<Object> params = new ArrayList<>(recipients.size() + 1);
        params.add(campaignId);
        recipients.forEach(c -> params.add(c.id()));
        return new java.util.HashSet<>(jdbc.sql("select contact_id from campaign_recipient where campaign_id = ? and contact_id in ("
                + io.mailtree.shared.SqlLists.placeholders(recipients.size()) + ")").params(params).query(Long.class).list());
    }

    private static BulkMessage withVariant(BulkMessage m, int variant) {
        return new BulkMessage(m.fromEmail(), m.fromName(), m.toEmail(), m.toName(), m.replyTo(), m.subject(), m.text(),
                m.html(), m.listUnsubscribeUrl(), m.listUnsubscribeMailto(), variant);
    }

    /** SENDING → SENT once every recipient is queued; the e-mail is marked sent with it. */
    private void finish(AccountId account, Campaign campaign) {
        transactions.executeWithoutResult(status -> {
            Instant now = clock.instant();
            int moved = jdbc.sql("update campaign set status = ?, finished_at = ?, updated_at = ? where id = ? and status = ?")
                    .params(CampaignStatus.SENT.name(), Times.sql(now), Times.sql(now), campaign.id(),
                            CampaignStatus.SENDING.name())
                    .update();
            if (moved == 1) {
                webhooks.moved(account, campaign, CampaignStatus.SENT);
                // An e-mail deleted or edited into INCOMPLETE since keeps its state: the campaign holds its copy.
                try {
                    if (emails.get(account, campaign.emailId()).status() == EmailStatus.DRAFT) {
                        emails.markSent(account, campaign.emailId(), now);
                    }
                } catch (DomainProblem gone) {
                    log.info("campaign {} sent; its e-mail {} is {}", campaign.id(), campaign.emailId(), gone.code());
                }
            }
        });
    }

    /** The e-mail as the campaign holds it. */
    record Content(String subject, String fromEmail, String fromName, String replyTo, String html, String text) {

        /** The campaign's e-mail as one A/B variant has it: what the variant sets replaces the campaign's own. */
        Content with(CampaignAbTests.Variant variant) {
            boolean ownHtml = variant.html() != null && !variant.html().isBlank();
            return new Content(variant.subject() == null || variant.subject().isBlank() ? subject : variant.subject(),
                    fromEmail, variant.fromName() == null || variant.fromName().isBlank() ? fromName : variant.fromName(),
                    replyTo, ownHtml ? variant.html() : html, ownHtml ? null : text);
        }
    }

    private Content content(long campaignId) {
        return jdbc.sql("select subject, from_email, from_name, reply_to, html, text_body from campaign where id = ?")
                .param(campaignId)
                .query((rs, n) -> new Content(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6)))
                .single();
    }

    /**
     * Personalises the campaign's e-mail for one contact with content's template language (its
     * properties, e-mail and name, and {@code unsubscribe_url}); a body that does not show the
     * unsubscribe link gets a footer with it, since providers require a visible one.
     */
    private BulkMessage render(AccountId account, Campaign campaign, Content content, Map<Integer, CampaignLinks.Link> tracked,
            Contact contact) {
        String unsubscribe = links.url(account, contact.id(), campaign.id());
        Map<String, Object> values = new HashMap<>(contact.properties());
        values.put("email", contact.email());
        values.put("name", contact.name());
        values.put("unsubscribe_url", unsubscribe);
        String subject = language.render(content.subject(), TemplateLanguage.Part.SUBJECT, values);
        String html = content.html() == null || content.html().isBlank() ? null
                : language.render(content.html(), TemplateLanguage.Part.HTML, values);
        String text = language.render(content.text() == null ? HtmlText.from(content.html()) : content.text(),
                TemplateLanguage.Part.TEXT, values);
        if (html != null && !html.contains(unsubscribe)) {
            html = html + "\n<p style=\"font-size:12px;color:#666\"><a href=\"" + unsubscribe + "\">Unsubscribe</a></p>";
        }
        if (html != null && trackingEnabled) {
            // ADR 0027: the campaign's stored links become signed click links, and an open pixel ends the body.
            html = CampaignLinks.rewrite(html, tracked, link -> tracking.clickUrl(account, contact.id(), campaign.id(), link));
            String pixel = "<img src=\"" + tracking.openUrl(account, contact.id(), campaign.id())
                    + "\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0;width:1px;height:1px\">";
            int end = html.toLowerCase(java.util.Locale.ROOT).lastIndexOf("</body>");
            html = end < 0 ? html + pixel : html.substring(0, end) + pixel + html.substring(end);
        }
        if (!text.contains(unsubscribe)) {
            text = text + "\n\n--\nUnsubscribe: " + unsubscribe + "\n";
        }
        return new BulkMessage(content.fromEmail(), content.fromName(), contact.email(), contact.name(),
                content.replyTo(), subject, text, html, unsubscribe,
                content.fromEmail() + "?subject=unsubscribe");
    }

    /**
     * The campaign's mail goes out with the account's MARKETING key (D-17, D-20: served after
     * transactional mail) when it has an active one, else with its primary key.
     */
    Caller sender(AccountId account) {
        List<ApiKey> active = keys.of(account).stream().filter(ApiKey::isActive).toList();
        Optional<ApiKey> key = active.stream().filter(k -> k.label() == KeyLabel.MARKETING)
                .min(Comparator.comparing(ApiKey::createdAt));
        if (key.isEmpty()) {
            key = active.stream().filter(ApiKey::primary).findFirst();
        }
        ApiKeyId keyId = key.map(ApiKey::id).orElse(null);
        return new Caller(account, account, false, Caller.Context.DIRECT, "campaign", null, keyId, Set.of(), null);
    }

    private AccountId accountOf(long campaignId) {
        return new AccountId(jdbc.sql("select account_id from campaign where id = ?").param(campaignId)
                .query(UUID.class).single());
    }
}
