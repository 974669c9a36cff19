package io.mailtree.delivery;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds delivery's settings ({@code mailtree.delivery.*}, {@code mailtree.bounce-domain}) once, at start. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({DeliverySettings.class, BounceDomain.class})
class DeliveryConfiguration {
}
