package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.DatabaseKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * The queue contract on the embedded H2 default (a file database of its own under {@code target}),
 * which one process opens at a time.
 */
@QueueContractFixture.Context
@TestPropertySource(properties = "mailtree.data-dir=target/queue-contract-h2-${random.uuid}")
class H2MessageQueueIntegrationTests implements MessageQueueContract {

    @Autowired
    QueueContractFixture fixture;

    @Autowired
    DatabaseKind database;

    @Override
    public QueueContractFixture queue() {
        return fixture;
    }

    @Test
    @DisplayName("On H2 a restart releases every lease: only one process opens the database, so none is still held")
    void restartReleasesEveryLeaseOfTheEmbeddedDatabase() {
        assertThat(database.isPostgres()).as("this contract runs on H2").isFalse();
        QueueContractFixture.Tenant tenant = queue().tenant();
        long ours = queue().send(tenant, QueueContractFixture.recipient("ours"));
        long recorded = queue().send(tenant, QueueContractFixture.recipient("recorded"));
        assertThat(QueueContractFixture.ids(queue().claim(ANY))).containsExactly(ours, recorded);
        // A lease recorded under another id (the data directory's node id changed) has no process behind it either.
        queue().leasedByAnotherNode(recorded, "another-node");

        queue().restart();

        assertThat(QueueContractFixture.ids(queue().claim(ANY))).as("claimable at once after the restart")
                .containsExactly(ours, recorded);
    }
}
