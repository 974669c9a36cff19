package io.mailtree.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Client-supplied ids are read strictly, and anything that cannot be a row id is "not found", never a 500. */
class IdsTests {

    @Test
    void readsPositiveWholeNumbers() {
        assertThat(Ids.parsePositive("1")).hasValue(1);
        assertThat(Ids.parsePositive("42")).hasValue(42);
        assertThat(Ids.parsePositive(String.valueOf(Long.MAX_VALUE))).hasValue(Long.MAX_VALUE);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", " ", "0", "-1", "-0", "1.5", "1e3", "abc", "12abc", "0x10", " 7", "7 ",
            "9223372036854775808", "99999999999999999999", "' or 1=1"})
    void anythingElseIsNoId(String text) {
        assertThat(Ids.parsePositive(text)).isEqualTo(OptionalLong.empty());
    }

    @Test
    void positiveAnswersTheIdOrNotFoundWithTheGivenCode() {
        assertThat(Ids.positive("7", "list_not_found", "list")).isEqualTo(7);
        assertThatThrownBy(() -> Ids.positive("-7", "list_not_found", "list"))
                .isInstanceOfSatisfying(DomainProblem.class, problem -> {
                    assertThat(problem.status()).isEqualTo(404);
                    assertThat(problem.code()).isEqualTo("list_not_found");
                    assertThat(problem.getMessage()).isEqualTo("list not found");
                });
        assertThatThrownBy(() -> Ids.positive(null, "email_not_found", "e-mail"))
                .isInstanceOfSatisfying(DomainProblem.class, problem -> assertThat(problem.code())
                        .isEqualTo("email_not_found"));
    }
}
