package io.mailtree.campaigns;

import io.mailtree.shared.AccountId;
import io.mailtree.tracking.WebhookEventTypes;
import io.mailtree.tracking.Webhooks;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * A campaign's state changes as webhook events ({@code campaign.scheduled}, {@code campaign.sending},
 * {@code campaign.paused}, {@code campaign.sent}, {@code campaign.cancelled}), written through
 * tracking's {@link Webhooks} in the transaction of the change, so an event goes out exactly when the
 * change commits, with the account webhooks' signing and retries.
 */
@Component
class CampaignWebhooks {

    private static final Map<CampaignStatus, String> TYPES = Map.of(CampaignStatus.SCHEDULED,
            WebhookEventTypes.CAMPAIGN_SCHEDULED, CampaignStatus.SENDING, WebhookEventTypes.CAMPAIGN_SENDING,
            CampaignStatus.PAUSED, WebhookEventTypes.CAMPAIGN_PAUSED, CampaignStatus.SENT, WebhookEventTypes.CAMPAIGN_SENT,
            CampaignStatus.CANCELLED, WebhookEventTypes.CAMPAIGN_CANCELLED);

    private final Webhooks webhooks;

    CampaignWebhooks(Webhooks webhooks) {
        this.webhooks = webhooks;
    }

    void moved(AccountId account, Campaign campaign, CampaignStatus to) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("accountId", account.value().toString());
        data.put("campaignId", campaign.id());
        data.put("bulkId", campaign.bulkId().toString());
        data.put("name", campaign.name());
        data.put("status", to.name());
        webhooks.publish(account, TYPES.get(to), data);
    }
}
