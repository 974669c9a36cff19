package io.mailtree.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.shared.DatabaseKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.TestPropertySource;

/**
 * The queue contract on PostgreSQL, the production queue shared by several nodes. The context has a
 * schema of its own ({@value #SCHEMA}), so the delivery workers of other test classes' contexts
 * (which share {@code mailtree_it}) never claim its messages.
 */
@QueueContractFixture.Context
@TestPropertySource(properties = {
    "spring.datasource.hikari.schema=" + PostgreSqlMessageQueueIntegrationTests.SCHEMA,
    "spring.flyway.schemas=" + PostgreSqlMessageQueueIntegrationTests.SCHEMA,
    "spring.flyway.default-schema=" + PostgreSqlMessageQueueIntegrationTests.SCHEMA,
    "mailtree.data-dir=target/queue-contract-postgresql-data"})
@ActiveProfiles("it")
@Import(PostgreSqlMessageQueueIntegrationTests.OwnSchema.class)
class PostgreSqlMessageQueueIntegrationTests implements MessageQueueContract {

    static final String SCHEMA = "mailtree_queue_contract";

    /** Rebuilds this class's own schema from the migrations when its context starts. */
    @TestConfiguration(proxyBeanMethods = false)
    static class OwnSchema {

        @Bean
        FlywayMigrationStrategy cleanThenMigrate() {
            return flyway -> {
                flyway.clean();
                flyway.migrate();
            };
        }
    }

    @Autowired
    QueueContractFixture fixture;

    @Autowired
    DatabaseKind database;

    @Override
    public QueueContractFixture queue() {
        return fixture;
    }

    @Test
    @DisplayName("On PostgreSQL a restart releases only this node's leases: another node's claim is still being delivered")
    void restartLeavesAnotherNodesLeasesAlone() {
        assertThat(database.isPostgres()).as("this contract runs on PostgreSQL").isTrue();
        QueueContractFixture.Tenant tenant = queue().tenant();
        long ours = queue().send(tenant, QueueContractFixture.recipient("ours"));
        long theirs = queue().send(tenant, QueueContractFixture.recipient("theirs"));
        assertThat(QueueContractFixture.ids(queue().claim(ANY))).containsExactly(ours, theirs);
        queue().leasedByAnotherNode(theirs, "another-node");
        QueueContractFixture.Row before = queue().row(theirs);

        queue().restart();

        assertThat(QueueContractFixture.ids(queue().claim(ANY))).as("claimable at once after the restart")
                .containsExactly(ours);
        assertThat(queue().row(theirs)).as("the other node's leased message").isEqualTo(before);
        assertThat(before.claimedBy()).isEqualTo("another-node");
    }
}
