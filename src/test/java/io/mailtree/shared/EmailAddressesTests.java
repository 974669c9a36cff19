package io.mailtree.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressesTests {

    @Test
    void lowerCasesTheDomainOnly() {
        assertThat(EmailAddresses.normalise(" John.Doe@Example.COM ")).isEqualTo("John.Doe@example.com");
    }

    @Test
    void acceptsInternationalisedDomainsAndPlusTags() {
        assertThat(EmailAddresses.normalise("info+news@bücher.de")).isEqualTo("info+news@bücher.de");
        assertThat(EmailAddresses.normalise("山田@例え.jp")).isEqualTo("山田@例え.jp");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "@example.com", "a@", "a@b", "a..b@example.com", ".a@example.com",
        "a@-bad-.com", "a b@example.com", "a@exa mple.com", "a@b@example.com", "line\r\nbreak@example.com"})
    void refusesMalformedAddresses(String address) {
        assertThatThrownBy(() -> EmailAddresses.normalise(address)).isInstanceOf(DomainProblem.class)
                .extracting(p -> ((DomainProblem) p).code()).isEqualTo("invalid_email");
    }

    @Test
    void refusesOverlongAddresses() {
        assertThatThrownBy(() -> EmailAddresses.normalise("a".repeat(250) + "@example.com"))
                .isInstanceOf(DomainProblem.class);
    }
}
