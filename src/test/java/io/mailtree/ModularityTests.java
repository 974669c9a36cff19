package io.mailtree;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import io.mailtree.accounts.AccountTree;
import io.mailtree.contacts.Contacts;
import io.mailtree.contacts.Suppressions;
import io.mailtree.shared.AccountId;
import io.mailtree.shared.outcomes.OutcomeConsumer;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/** The module boundaries of docs/architecture.md hold: no cycles, no reaching into another module's internals. */
class ModularityTests {

    private final ApplicationModules modules = ApplicationModules.of(MailtreeApplication.class);

    @Test
    void modulesRespectTheirBoundaries() {
        modules.verify();
    }

    @Test
    void accountsSitAtTheBottomOfTheFeatureModules() {
        ApplicationModule accounts = modules.getModuleByName("accounts").orElseThrow();
        assertThat(accounts.getDirectDependencies(modules).stream().map(d -> d.getTargetModule().getName()).distinct())
                .allMatch(name -> name.equals("audit") || name.equals("shared"));
    }

    /**
     * ADR 0010: delivery publishes what happened and does not call the modules that react to it. The
     * consumers sit in contacts and accounts; delivery and inbound (which writes complaints) import
     * no consumer, do not depend on contacts at all, and never call the effects themselves.
     */
    @Test
    void deliveryAndInboundImportNoneOfTheirConsumers() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.mailtree");
        var consumers = classes.stream().filter(c -> c.isAssignableTo(OutcomeConsumer.class) && !c.isInterface())
                .map(c -> c.getPackageName()).toList();
        assertThat(consumers).as("the consumers of today").contains("io.mailtree.contacts", "io.mailtree.accounts");
        for (String module : new String[] {"delivery", "inbound"}) {
            ApplicationModule writer = modules.getModuleByName(module).orElseThrow();
            assertThat(writer.getDirectDependencies(modules).stream().map(d -> d.getTargetModule().getName()))
                    .as("%s depends on", module).doesNotContain("contacts");
            ArchRuleDefinition.noClasses().that().resideInAPackage("io.mailtree." + module + "..")
                    .should().dependOnClassesThat().implement(OutcomeConsumer.class)
                    .orShould().callMethod(AccountTree.class, "recordSend", AccountId.class, Instant.class)
                    .orShould().callMethod(Suppressions.class, "add", AccountId.class, String.class, String.class,
                            String.class)
                    .orShould().callMethod(Contacts.class, "update", AccountId.class, long.class, String.class,
                            String.class, Map.class)
                    .check(classes);
        }
    }

    @Test
    void writesModuleDocumentation() {
        new Documenter(modules).writeModulesAsPlantUml().writeIndividualModulesAsPlantUml();
    }
}
