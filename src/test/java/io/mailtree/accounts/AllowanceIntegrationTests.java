package io.mailtree.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailtree.support.Api;
import io.mailtree.support.MailtreeTestBase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** The contact allowance of D-6 … D-10, over the real API on PostgreSQL. */
class AllowanceIntegrationTests extends MailtreeTestBase {

    @Test
    @DisplayName("D-8 example A: plan 1,000, 0 active: two sub-accounts of 500 succeed, a third fails")
    void d8ExampleA() {
        Master master = master("lite-1000");
        assertThat(createSubaccount(master.api(), 500).status()).isEqualTo(201);
        assertThat(createSubaccount(master.api(), 500).status()).isEqualTo(201);
        Api.Response third = createSubaccount(master.api(), 500);
        assertThat(third.status()).isEqualTo(409);
        assertThat(third.code()).isEqualTo("contact_allowance_exceeded");
        assertThat(third.json().get("detail").asString()).isEqualTo("500 requested, 0 available.");
        assertThat(third.json().get("requested").asInt()).isEqualTo(500);
        assertThat(third.json().get("available").asInt()).isZero();
        assertThat(allowance(master.api()).get("allocatedToSubaccounts").asInt()).isEqualTo(1000);
    }

    @Test
    @DisplayName("D-8 example B: plan 1,000, 1 active: one sub-account of 500 succeeds, a second fails")
    void d8ExampleB() {
        Master master = master("lite-1000");
        setOwnActiveContacts(master.id(), 1);
        assertThat(createSubaccount(master.api(), 500).status()).isEqualTo(201);
        Api.Response second = createSubaccount(master.api(), 500);
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json().get("detail").asString()).isEqualTo("500 requested, 499 available.");
    }

    @Test
    @DisplayName("D-8 example C: 501 active contacts: no sub-account of 500 can be created")
    void d8ExampleC() {
        Master master = master("lite-1000");
        setOwnActiveContacts(master.id(), 501);
        Api.Response refused = createSubaccount(master.api(), 500);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo("contact_allowance_exceeded");
        assertThat(refused.json().get("available").asInt()).isEqualTo(499);
        assertThat(master.api().get("/api/v1/subaccounts").json().get("total").asInt()).isZero();
    }

    @Test
    @DisplayName("D-6: the allocation is chosen from the tiers and becomes the sub-account's contact limit")
    void d6AllocationIsATierAndTheSubaccountsLimit() {
        Master master = master("pro-10000");
        Api.Response notATier = createSubaccount(master.api(), 700);
        assertThat(notATier.status()).isEqualTo(400);
        assertThat(notATier.code()).isEqualTo("allocation_not_a_tier");
        Api.Response missing = createSubaccount(master.api(), "No tier", uniqueEmail("x"), null, null);
        assertThat(missing.code()).isEqualTo("allocation_required");

        Api.Response created = createSubaccount(master.api(), 2500);
        assertThat(created.status()).isEqualTo(201);
        Api sub = Api.withKey(port, created.json().get("apiKey"));
        JsonNode subAllowance = allowance(sub);
        assertThat(subAllowance.get("limit").asInt()).isEqualTo(2500);
        assertThat(subAllowance.get("available").asInt()).isEqualTo(2500);
        setOwnActiveContacts(created.json().get("subaccount").get("id").asString(), 100);
        assertThat(allowance(sub).get("available").asInt()).isEqualTo(2400);
    }

    @Test
    @DisplayName("D-7: total active contacts = own + allocations of active sub-accounts + pending releases")
    void d7TotalActiveContacts() {
        Master master = master("lite-5000");
        setOwnActiveContacts(master.id(), 300);
        createSubaccount(master.api(), 1000);
        String pendingSub = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();
        accountTree.recordSend(id(pendingSub), clock().instant());
        assertThat(master.api().post("/api/v1/subaccounts/" + pendingSub + "/deactivate", null).status()).isEqualTo(200);

        JsonNode allowance = allowance(master.api());
        assertThat(allowance.get("limit").asInt()).isEqualTo(5000);
        assertThat(allowance.get("ownActiveContacts").asInt()).isEqualTo(300);
        assertThat(allowance.get("allocatedToSubaccounts").asInt()).isEqualTo(1000);
        assertThat(allowance.get("pendingRelease").get(0).get("amount").asInt()).isEqualTo(500);
        assertThat(allowance.get("totalActiveContacts").asInt()).isEqualTo(1800);
        assertThat(allowance.get("available").asInt()).isEqualTo(3200);
    }

    @Test
    @DisplayName("D-10: the allocation of a deactivated sub-account returns 30 days after its last send")
    void d10ReleaseThirtyDaysAfterLastSend() {
        Master master = master("lite-1000");
        String sub = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();
        Instant lastSend = clock().instant().minus(Duration.ofDays(10));
        accountTree.recordSend(id(sub), lastSend);

        JsonNode deactivated = master.api().post("/api/v1/subaccounts/" + sub + "/deactivate", null).json();
        assertThat(deactivated.get("status").asString()).isEqualTo("INACTIVE");
        Instant releaseAt = Instant.parse(deactivated.get("allocationReleaseAt").asString());
        assertThat(Duration.between(lastSend.plus(Duration.ofDays(30)), releaseAt).abs()).isLessThan(Duration.ofMillis(1));

        JsonNode pending = allowance(master.api());
        assertThat(pending.get("available").asInt()).isEqualTo(500);
        assertThat(pending.get("pendingRelease").get(0).get("subaccountId").asString()).isEqualTo(sub);
        assertThat(createSubaccount(master.api(), 1000).status()).isEqualTo(409);

        advanceClock(Duration.ofDays(20).minusMinutes(1));
        assertThat(allowance(master.api()).get("available").asInt()).isEqualTo(500);
        advanceClock(Duration.ofMinutes(2));
        JsonNode released = allowance(master.api());
        assertThat(released.get("available").asInt()).isEqualTo(1000);
        assertThat(released.get("pendingRelease").size()).isZero();
    }

    @Test
    @DisplayName("D-10: a sub-account that never sent (or sent over 30 days ago) returns its allocation at once")
    void d10ReleaseAtOnceWithoutRecentSend() {
        Master master = master("lite-1000");
        String never = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();
        String old = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();
        accountTree.recordSend(id(old), clock().instant().minus(Duration.ofDays(31)));
        master.api().post("/api/v1/subaccounts/" + never + "/deactivate", null);
        master.api().post("/api/v1/subaccounts/" + old + "/deactivate", null);
        JsonNode allowance = allowance(master.api());
        assertThat(allowance.get("available").asInt()).isEqualTo(1000);
        assertThat(allowance.get("pendingRelease").size()).isZero();
    }

    @Test
    @DisplayName("D-10: reactivating while pending takes the allocation back from the pending release")
    void d10ReactivateWhilePending() {
        Master master = master("lite-1000");
        String sub = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();
        createSubaccount(master.api(), 500);
        accountTree.recordSend(id(sub), clock().instant());
        master.api().post("/api/v1/subaccounts/" + sub + "/deactivate", null);
        assertThat(allowance(master.api()).get("available").asInt()).isZero();

        Api.Response activated = master.api().post("/api/v1/subaccounts/" + sub + "/activate", null);
        assertThat(activated.status()).isEqualTo(200);
        JsonNode allowance = allowance(master.api());
        assertThat(allowance.get("allocatedToSubaccounts").asInt()).isEqualTo(1000);
        assertThat(allowance.get("pendingRelease").size()).isZero();
        assertThat(allowance.get("available").asInt()).isZero();
    }

    @Test
    @DisplayName("D-10: reactivating after the release takes from the available allowance, refused with the numbers if short")
    void d10ReactivateAfterRelease() {
        Master master = master("lite-1000");
        String sub = createSubaccount(master.api(), 500).json().get("subaccount").get("id").asString();
        master.api().post("/api/v1/subaccounts/" + sub + "/deactivate", null);
        setOwnActiveContacts(master.id(), 700);

        Api.Response refused = master.api().post("/api/v1/subaccounts/" + sub + "/activate", null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("detail").asString()).isEqualTo("500 requested, 300 available.");
        assertThat(master.api().get("/api/v1/subaccounts/" + sub).json().get("status").asString()).isEqualTo("INACTIVE");

        setOwnActiveContacts(master.id(), 500);
        assertThat(master.api().post("/api/v1/subaccounts/" + sub + "/activate", null).status()).isEqualTo(200);
        assertThat(allowance(master.api()).get("available").asInt()).isZero();
    }

    @Test
    @DisplayName("D-8: raising an allocation is checked against the available allowance; lowering frees it")
    void d8RaisingAnAllocationIsChecked() {
        Master master = master("lite-2500");
        String sub = createSubaccount(master.api(), 1000).json().get("subaccount").get("id").asString();
        Api.Response tooMuch = master.api().patch("/api/v1/subaccounts/" + sub, "{\"contactAllocation\":5000}");
        assertThat(tooMuch.status()).isEqualTo(409);
        assertThat(tooMuch.json().get("detail").asString()).isEqualTo("4,000 requested, 1,500 available.");
        assertThat(allowance(master.api()).get("allocatedToSubaccounts").asInt()).isEqualTo(1000);

        assertThat(master.api().patch("/api/v1/subaccounts/" + sub, "{\"contactAllocation\":2500}").status()).isEqualTo(200);
        assertThat(allowance(master.api()).get("available").asInt()).isZero();
        assertThat(master.api().patch("/api/v1/subaccounts/" + sub, "{\"contactAllocation\":500}").status()).isEqualTo(200);
        assertThat(allowance(master.api()).get("available").asInt()).isEqualTo(2000);
    }

    @Test
    @DisplayName("D-8: an allocation cannot go below the sub-account's own active contacts")
    void d8AllocationNotBelowUsage() {
        Master master = master("lite-5000");
        String sub = createSubaccount(master.api(), 1000).json().get("subaccount").get("id").asString();
        setOwnActiveContacts(sub, 800);
        Api.Response refused = master.api().patch("/api/v1/subaccounts/" + sub, "{\"contactAllocation\":500}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo("allocation_below_usage");
    }

    @ParameterizedTest
    @ValueSource(strings = {"free", "lite-500", "volume-free", "pay-per-send"})
    @DisplayName("D-3: free, lite-500, volume-free and pay-per-send masters may not create sub-accounts")
    void d3IneligiblePlans(String plan) {
        Master master = master(plan);
        Integer allocation = plan.startsWith("volume") || plan.startsWith("pay") ? null : Integer.valueOf(500);
        Api.Response refused = createSubaccount(master.api(), "Refused", uniqueEmail("r"), null, allocation);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("subaccounts_not_allowed_on_plan");
        assertThat(master.api().get("/api/v1/account").json().get("subaccountsAllowed").asBoolean()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"lite-1000", "lite-50000", "pro-1000", "pro-100000", "enterprise", "legacy-paid"})
    @DisplayName("D-3: lite-1000 and above, pro, enterprise and legacy-paid masters may create sub-accounts")
    void d3EligibleContactPlans(String plan) {
        Master master = master(plan);
        if (plan.equals("enterprise")) {
            operator().patch("/api/platform/v1/masters/" + master.id(), "{\"enterpriseContactLimit\":20000}");
        }
        assertThat(createSubaccount(master.api(), 500).status()).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"volume-15k", "volume-50k", "volume-150k"})
    @DisplayName("D-3: paid monthly-volume masters create sub-accounts without contact allocation")
    void d3PaidVolumePlansShareVolume(String plan) {
        Master master = master(plan);
        Api.Response created = createSubaccount(master.api(), "Volume sub", uniqueEmail("v"), null, null);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("subaccount").get("contactAllocation").isNull()).isTrue();
        assertThat(createSubaccount(master.api(), "With allocation", uniqueEmail("v"), null, 500).code())
                .isEqualTo("allocation_not_applicable");
        assertThat(allowance(master.api()).get("limit").isNull()).isTrue();
    }

    @Test
    @DisplayName("D-3: the operator turns the feature on for one master on request, and off again")
    void d3OperatorOverride() {
        Master master = master("lite-500");
        assertThat(createSubaccount(master.api(), 500).code()).isEqualTo("subaccounts_not_allowed_on_plan");
        assertThat(operator().patch("/api/platform/v1/masters/" + master.id(), "{\"subaccountsEnabled\":true}").status())
                .isEqualTo(200);
        assertThat(createSubaccount(master.api(), 500).status()).isEqualTo(201);
        operator().patch("/api/platform/v1/masters/" + master.id(), "{\"subaccountsEnabled\":false}");
        assertThat(createSubaccount(master.api(), 500).code()).isEqualTo("subaccounts_not_allowed_on_plan");

        Master pro = master("pro-5000");
        operator().patch("/api/platform/v1/masters/" + pro.id(), "{\"subaccountsEnabled\":false}");
        assertThat(createSubaccount(pro.api(), 500).code()).isEqualTo("subaccounts_not_allowed_on_plan");
        operator().patch("/api/platform/v1/masters/" + pro.id(), "{\"resetSubaccounts\":true}");
        assertThat(createSubaccount(pro.api(), 500).status()).isEqualTo(201);
    }

    @Test
    @DisplayName("D-4: a sub-account has its master's plan, and follows the master's plan changes")
    void d4SubaccountHasTheMastersPlan() {
        Master master = master("pro-5000");
        JsonNode sub = createSubaccount(master.api(), 500).json();
        assertThat(sub.get("subaccount").get("plan").asString()).isEqualTo("pro-5000");
        operator().patch("/api/platform/v1/masters/" + master.id(), "{\"plan\":\"pro-10000\"}");
        Api subApi = Api.withKey(port, sub.get("apiKey"));
        assertThat(subApi.get("/api/v1/account").json().get("plan").asString()).isEqualTo("pro-10000");
    }

    @Test
    @DisplayName("D-5: only a master has sub-accounts; a sub-account cannot create one")
    void d5OneLevel() {
        Master master = master("pro-5000");
        JsonNode created = createSubaccount(master.api(), 500).json();
        Api sub = Api.withKey(port, created.get("apiKey"));
        Api.Response refused = createSubaccount(sub, 500);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("masters_only");
        JsonNode account = sub.get("/api/v1/account").json();
        assertThat(account.get("kind").asString()).isEqualTo("SUB");
        assertThat(account.get("parentId").asString()).isEqualTo(master.id());
    }

    @Test
    @DisplayName("D-8: concurrent creations never over-allocate: exactly the free slots succeed")
    void d8ConcurrentCreationsNeverOverAllocate() throws Exception {
        Master master = master("lite-2500");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> attempts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                attempts.add(() -> createSubaccount(master.api(), 500).status());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(attempts)) {
                statuses.add(f.get());
            }
            assertThat(statuses).filteredOn(s -> s == 201).hasSize(5);
            assertThat(statuses).filteredOn(s -> s == 409).hasSize(3);
        } finally {
            pool.shutdown();
        }
        JsonNode allowance = allowance(master.api());
        assertThat(allowance.get("allocatedToSubaccounts").asInt()).isEqualTo(2500);
        assertThat(allowance.get("available").asInt()).isZero();
    }
}
