package io.mailtree.campaigns;

import io.mailtree.contacts.TestRecipient;
import io.mailtree.contacts.TestRecipients;
import io.mailtree.content.HtmlText;
import io.mailtree.content.TemplateLanguage;
import io.mailtree.delivery.BulkMessage;
import io.mailtree.delivery.MessageQueue;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.EmailAddresses;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A campaign's test send (ADR 0031): its e-mail, as the campaign holds it, to the account's test
 * recipients and to addresses typed in (at most {@link #MAX_TYPED}), the subject marked
 * {@code [Test]} ({@code [Test B]} for each variant of an A/B test). The messages carry no bulk id:
 * they are not the campaign's mail for the report consumer (which counts only events of a campaign's
 * bulk id), for the progress bar, or for a pause or cancel; and they carry no open pixel, no click
 * tokens and no one-click unsubscribe header, so a tester's opens and clicks record nothing.
 */
@Service
public class CampaignTestSends {

    /** The most addresses one test send may type in. */
    public static final int MAX_TYPED = 10;

    private final Campaigns campaigns;
    private final CampaignAbTests abTests;
    private final CampaignFanOut fanOut;
    private final TestRecipients testRecipients;
    private final TemplateLanguage language;
    private final MessageQueue queue;
    private final UnsubscribeLinks unsubscribeLinks;
    private final JdbcClient jdbc;

    CampaignTestSends(Campaigns campaigns, CampaignAbTests abTests, CampaignFanOut fanOut, TestRecipients testRecipients,
            TemplateLanguage language, MessageQueue queue, UnsubscribeLinks unsubscribeLinks, JdbcClient jdbc) {
        this.campaigns = campaigns;
        this.abTests = abTests;
        this.fanOut = fanOut;
        this.testRecipients = testRecipients;
        this.language = language;
        this.queue = queue;
        this.unsubscribeLinks = unsubscribeLinks;
        this.jdbc = jdbc;
    }

    /**
     * Who a test goes to: {@code addresses} typed in, and the account's test recipients when
     * {@code testRecipients} is true (the default when no address is typed).
     */
    public record TestSendRequest(List<String> addresses, Boolean testRecipients) {
    }

    /** What was sent: the addresses, and how many messages (one per variant and address). */
    public record TestSendResult(long campaignId, List<String> recipients, int messages) {
    }

    @Transactional
    public TestSendResult send(AccountId account, long campaignId, TestSendRequest request) {
        Campaign campaign = campaigns.get(account, campaignId); // another account's id: campaign_not_found
        List<String> typed = request == null || request.addresses() == null ? List.of()
                : request.addresses().stream().filter(a -> a != null && !a.isBlank()).toList();
        if (typed.size() > MAX_TYPED) {
            throw DomainProblem.invalid("too_many_test_addresses", "at most " + MAX_TYPED + " addresses",
                    String.valueOf(MAX_TYPED)).with("field", "addresses");
        }
        Map<String, String> recipients = new LinkedHashMap<>(); // by lower-cased address: once each
        for (String raw : typed) {
            String address;
            try {
                address = EmailAddresses.normalise(raw);
            } catch (DomainProblem invalid) {
                String shown = raw.length() > 64 ? raw.substring(0, 64) : raw.replaceAll("[\\r\\n]", " ");
                throw DomainProblem.invalid("invalid_test_address", "not an e-mail address: " + shown, shown)
                        .with("field", "addresses");
            }
            recipients.putIfAbsent(address.toLowerCase(Locale.ROOT), address);
        }
        boolean toTestRecipients = request == null || request.testRecipients() == null ? typed.isEmpty()
                : request.testRecipients();
        if (toTestRecipients) {
            for (TestRecipient r : testRecipients.of(account)) {
                recipients.putIfAbsent(r.email().toLowerCase(Locale.ROOT), r.email());
            }
        }
        if (recipients.isEmpty()) {
            throw DomainProblem.invalid("no_test_recipients", "type an address or add test recipients")
                    .with("field", "addresses");
        }
        CampaignFanOut.Content content = content(campaignId);
        List<CampaignFanOut.Content> versions = new ArrayList<>();
        List<String> marks = new ArrayList<>();
        List<CampaignAbTests.Variant> variants = abTests.state(campaignId).isPresent() ? abTests.variants(campaignId)
                : List.of();
        if (variants.isEmpty()) {
            versions.add(content);
            marks.add("[Test] ");
        } else {
            for (CampaignAbTests.Variant v : variants) {
                versions.add(content.with(v));
                marks.add("[Test " + CampaignAbTests.letter(v.index()) + "] ");
            }
        }
        List<BulkMessage> messages = new ArrayList<>();
        for (String address : recipients.values()) {
            for (int i = 0; i < versions.size(); i++) {
                messages.add(render(versions.get(i), marks.get(i), address));
            }
        }
        queue.enqueueBulk(fanOut.sender(account), null, messages);
        return new TestSendResult(campaign.id(), List.copyOf(recipients.values()), messages.size());
    }

    private BulkMessage render(CampaignFanOut.Content content, String mark, String address) {
        String unsubscribe = unsubscribeLinks.testUrl();
        Map<String, Object> values = new HashMap<>();
        values.put("email", address);
        values.put("unsubscribe_url", unsubscribe);
        String subject = mark + language.render(content.subject(), TemplateLanguage.Part.SUBJECT, values);
        String html = content.html() == null || content.html().isBlank() ? null
                : language.render(content.html(), TemplateLanguage.Part.HTML, values);
        String text = language.render(content.text() == null ? HtmlText.from(content.html()) : content.text(),
                TemplateLanguage.Part.TEXT, values);
        return new BulkMessage(content.fromEmail(), content.fromName(), address, null, content.replyTo(), subject, text,
                html, null, null);
    }

    private CampaignFanOut.Content content(long campaignId) {
        return jdbc.sql("select subject, from_email, from_name, reply_to, html, text_body from campaign where id = ?")
                .param(campaignId)
                .query((rs, n) -> new CampaignFanOut.Content(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6)))
                .single();
    }
}
