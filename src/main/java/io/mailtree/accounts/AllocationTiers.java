package io.mailtree.accounts;

import java.util.List;

/** The contact allocations a sub-account may be given (D-2, D-6); the smallest is 500. */
public final class AllocationTiers {

    public static final List<Integer> ALL = List.of(500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000);
    public static final int SMALLEST = 500;

    private AllocationTiers() {
    }

    public static boolean isTier(int allocation) {
        return ALL.contains(allocation);
    }
}
