package io.mailtree.delivery;

import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The domain of Mailtree's return paths, read once from {@code mailtree.bounce-domain}
 * ({@code MAILTREE_BOUNCE_DOMAIN}): delivery writes {@code bounces+<token>@<domain>} as each copy's
 * envelope sender ({@link ReturnPaths}), and the inbound server takes mail only for it.
 *
 * @param bounceDomain the domain, in lower case
 */
@ConfigurationProperties("mailtree")
public record BounceDomain(@DefaultValue("bounces.mailtree.localhost") String bounceDomain) {

    public BounceDomain {
        bounceDomain = bounceDomain.strip().toLowerCase(Locale.ROOT);
    }

    /** The domain, in lower case. */
    public String name() {
        return bounceDomain;
    }
}
