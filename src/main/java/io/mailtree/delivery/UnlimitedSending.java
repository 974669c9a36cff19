package io.mailtree.delivery;

import io.mailtree.shared.AccountId;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Until billing implements {@link SendingAllowance}, every account may send. */
@Configuration(proxyBeanMethods = false)
class UnlimitedSending {

    @Bean
    @ConditionalOnMissingBean(SendingAllowance.class)
    SendingAllowance unlimitedSendingAllowance() {
        return (AccountId account, int count) -> null;
    }
}
