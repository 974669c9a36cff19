package io.mailtree.delivery;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds delivery's settings ({@code mailtree.delivery.*}, {@code mailtree.bounce-domain}, {@code mailtree.dns.*}) once, at start. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({DeliverySettings.class, BounceDomain.class, DnsSettings.class})
class DeliveryConfiguration {
}
