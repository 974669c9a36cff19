package io.mailtree;

import static org.assertj.core.api.Assertions.assertThat;

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

    @Test
    void writesModuleDocumentation() {
        new Documenter(modules).writeModulesAsPlantUml().writeIndividualModulesAsPlantUml();
    }
}
