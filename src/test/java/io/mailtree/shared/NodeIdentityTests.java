package io.mailtree.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node keeps its id across restarts: from MAILTREE_NODE_ID, or generated once into the data directory. */
class NodeIdentityTests {

    @TempDir
    Path dataDir;

    @Test
    void generatesAnIdOnceAndReadsItBackAfterARestart() throws Exception {
        String first = new NodeIdentity("", dataDir.toString()).id();
        assertThat(first).matches("[0-9a-f-]{36}");
        assertThat(Files.readString(dataDir.resolve(NodeIdentity.FILE)).strip()).isEqualTo(first);
        assertThat(new NodeIdentity(null, dataDir.toString()).id()).as("after a restart").isEqualTo(first);
        assertThat(new NodeIdentity("", dataDir.resolve("other").toString()).id())
                .as("another data directory, another node").isNotEqualTo(first);
    }

    @Test
    void aConfiguredIdWinsAndWritesNothing() {
        assertThat(new NodeIdentity(" mailtree-eu-1 ", dataDir.toString()).id()).isEqualTo("mailtree-eu-1");
        assertThat(dataDir.resolve(NodeIdentity.FILE)).doesNotExist();
    }

    @Test
    void refusesAnIdThatCannotBeStored() throws Exception {
        assertThatThrownBy(() -> new NodeIdentity("x".repeat(65), dataDir.toString()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("MAILTREE_NODE_ID");
        assertThatThrownBy(() -> new NodeIdentity("two words", dataDir.toString()))
                .isInstanceOf(IllegalStateException.class);
        Files.writeString(dataDir.resolve(NodeIdentity.FILE), "\n");
        assertThatThrownBy(() -> new NodeIdentity("", dataDir.toString()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(NodeIdentity.FILE);
    }
}
