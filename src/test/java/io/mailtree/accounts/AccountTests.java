package io.mailtree.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailtree.shared.DomainProblem;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The domain verbs of {@link Account} and the arithmetic of {@link Allowance}, without a database. */
class AccountTests {

    private static final Plan LITE_1000 = new Plan("lite-1000", "Lite 1,000", PlanKind.CONTACTS, 1000, null, true, true);
    private static final Plan FREE = new Plan("free", "Free", PlanKind.CONTACTS, 500, null, false, false);
    private static final Plan VOLUME = new Plan("volume-15k", "Volume", PlanKind.MONTHLY_VOLUME, null, 15000, true, true);
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    @Test
    @DisplayName("D-10: release time is max(deactivation, last send + 30 days)")
    void d10ReleaseTime() {
        Account master = Account.newMaster("M", LITE_1000, NOW);
        Account recent = Account.newSubaccount(master, "recent", 500, NOW);
        recent.recordSendForTest(NOW.minus(Duration.ofDays(3)));
        assertThat(recent.deactivate(NOW)).isEqualTo(NOW.plus(Duration.ofDays(27)));

        Account old = Account.newSubaccount(master, "old", 500, NOW);
        old.recordSendForTest(NOW.minus(Duration.ofDays(45)));
        assertThat(old.deactivate(NOW)).isEqualTo(NOW);

        Account never = Account.newSubaccount(master, "never", 500, NOW);
        assertThat(never.deactivate(NOW)).isEqualTo(NOW);
    }

    @Test
    @DisplayName("D-15: only a sub-account is deactivated, and not twice")
    void d15DeactivationGuards() {
        Account master = Account.newMaster("M", LITE_1000, NOW);
        assertThatThrownBy(() -> master.deactivate(NOW)).isInstanceOf(DomainProblem.class)
                .extracting(p -> ((DomainProblem) p).code()).isEqualTo("not_a_subaccount");
        Account sub = Account.newSubaccount(master, "s", 500, NOW);
        sub.deactivate(NOW);
        assertThatThrownBy(() -> sub.deactivate(NOW)).extracting(p -> ((DomainProblem) p).code())
                .isEqualTo("subaccount_already_inactive");
        sub.activate();
        assertThatThrownBy(sub::activate).extracting(p -> ((DomainProblem) p).code()).isEqualTo("subaccount_already_active");
    }

    @Test
    @DisplayName("D-7: available = limit - own - allocated - pending")
    void d7AvailableArithmetic() {
        Account master = Account.newMaster("M", LITE_1000, NOW);
        master.allocate(500);
        Allowance allowance = Allowance.of(master, LITE_1000, List.of(
                new Allowance.PendingRelease(io.mailtree.shared.AccountId.random(), "p", 250, NOW.plusSeconds(60))));
        assertThat(allowance.available()).isEqualTo(250);
        assertThat(allowance.totalActiveContacts()).isEqualTo(750);
    }

    @Test
    @DisplayName("D-3: eligibility follows the plan unless the operator overrides it")
    void d3Eligibility() {
        Account free = Account.newMaster("F", FREE, NOW);
        assertThat(free.maySubaccounts(FREE)).isFalse();
        free.overrideSubaccounts(true);
        assertThat(free.maySubaccounts(FREE)).isTrue();
        Account sub = Account.newSubaccount(Account.newMaster("M", LITE_1000, NOW), "s", 500, NOW);
        assertThat(sub.maySubaccounts(LITE_1000)).as("D-5: one level only").isFalse();
    }

    @Test
    @DisplayName("D-2: monthly-volume plans have no contact allowance")
    void d2VolumePlansHaveNoContactLimit() {
        Account master = Account.newMaster("V", VOLUME, NOW);
        Allowance allowance = Allowance.of(master, VOLUME, List.of());
        assertThat(allowance.limit()).isNull();
        assertThat(allowance.available()).isNull();
    }

    @Test
    @DisplayName("D-6: the tiers are 500 to 100,000")
    void d6Tiers() {
        assertThat(AllocationTiers.ALL).containsExactly(500, 1000, 2500, 5000, 10000, 25000, 50000, 100000);
        assertThat(AllocationTiers.isTier(500)).isTrue();
        assertThat(AllocationTiers.isTier(499)).isFalse();
    }
}
