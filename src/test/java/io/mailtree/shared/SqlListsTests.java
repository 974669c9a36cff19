package io.mailtree.shared;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlListsTests {

    @Test
    void onePlaceholderPerValueSeparatedByCommas() {
        assertThat(SqlLists.placeholders(1)).isEqualTo("?");
        assertThat(SqlLists.placeholders(3)).isEqualTo("?,?,?");
        assertThat(SqlLists.placeholders(1000)).hasSize(1999).matches("\\?(,\\?){999}");
    }
}
