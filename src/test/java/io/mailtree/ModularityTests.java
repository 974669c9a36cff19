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
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
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

    /**
     * Every module but the open {@code shared} declares its allowed dependencies in its
     * {@code package-info.java} ({@link #modulesRespectTheirBoundaries} refuses anything undeclared),
     * and declares no more than it uses: the declaration is the real graph, not a wish, so the
     * paragraph beside it stays true.
     */
    @Test
    void everyModuleDeclaresExactlyTheDependenciesItUses() throws Exception {
        for (ApplicationModule module : modules) {
            if (module.getName().equals("shared")) {
                continue;
            }
            org.springframework.modulith.ApplicationModule declaration = Class
                    .forName(module.getBasePackage().getName() + ".package-info")
                    .getAnnotation(org.springframework.modulith.ApplicationModule.class);
            assertThat(declaration).as("%s declares its dependencies", module.getName()).isNotNull();
            Set<String> declared = Arrays.stream(declaration.allowedDependencies())
                    .map(d -> d.split("::")[0].trim()).collect(Collectors.toCollection(TreeSet::new));
            Set<String> used = module.getDirectDependencies(modules).stream().map(d -> d.getTargetModule().getName())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(declared).as("what %s declares is what it uses", module.getName()).isEqualTo(used);
        }
    }

    /** The tree sits at the bottom of the feature modules: everything may ask it, it asks only the audit log. */
    @Test
    void accountsSitAtTheBottomOfTheFeatureModules() {
        ApplicationModule accounts = modules.getModuleByName("accounts").orElseThrow();
        assertThat(accounts.getDirectDependencies(modules).stream().map(d -> d.getTargetModule().getName()).distinct())
                .allMatch(name -> name.equals("audit") || name.equals("shared"));
    }

    /**
     * ADR 0010: delivery publishes what happened and does not call the modules that react to it. The
     * consumers sit in contacts, accounts and tracking; delivery and inbound (which writes complaints) import
     * no consumer, do not depend on contacts at all, and never call the effects themselves.
     */
    @Test
    void deliveryAndInboundImportNoneOfTheirConsumers() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.mailtree");
        var consumers = classes.stream().filter(c -> c.isAssignableTo(OutcomeConsumer.class) && !c.isInterface())
                .map(c -> c.getPackageName()).toList();
        assertThat(consumers).as("the consumers of today").contains("io.mailtree.contacts", "io.mailtree.accounts", "io.mailtree.tracking");
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
