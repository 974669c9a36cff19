#!/usr/bin/env bash
# Billing benchmarks (ADR 0028), side by side in one run:
# 1. the credits check at accept: bench/send.sh's HTTP phase twice, back to back on fresh databases,
#    with MAILTREE_BILLING_CREDITS_CHECK=true and =false (consumers on, SMTP phase skipped), then both
#    accepted msg/s and their ratio;
# 2. issuing a month's invoices for 10,000 masters with 10 sub-accounts each (BillingBench): time,
#    invoices/s, the server's peak heap, and the checks (no gap, lines sum to the subtotal).
# Metering's events/s is bench/consumers.sh's billing.metering line.
#
# Usage: bench/billing.sh [SEND_SECONDS] [MASTERS] [SUBS]   (defaults 30, 10000, 10)
# Environment: BENCH_SKIP_SEND=1 or BENCH_SKIP_ISSUE=1 to run one part; BENCH_CREDITS_PASSES ("true false",
#              or "false true" to run the other order on a machine whose load drifts); those of send.sh and server.sh.
set -euo pipefail

SEND_SECONDS="${1:-30}"
MASTERS="${2:-10000}"
SUBS="${3:-10}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(mktemp -d)"

if [[ "${BENCH_SKIP_SEND:-0}" != "1" ]]; then
    for check in ${BENCH_CREDITS_PASSES:-true false}; do
        echo "=== send with the credits check $check ==="
        MAILTREE_BILLING_CREDITS_CHECK=$check BENCH_CONSUMERS=on BENCH_SMTP_SECONDS=0 \
            bash "$SCRIPT_DIR/send.sh" "$SEND_SECONDS" | tee "$OUT/send-$check.txt"
    done
fi

if [[ "${BENCH_SKIP_ISSUE:-0}" != "1" ]]; then
    echo "=== issuing invoices ==="
    (
        export BENCH_DB="${BENCH_DB:-mailtree_billingbench}"
        # shellcheck source=bench/server.sh
        source "$SCRIPT_DIR/server.sh"
        start_mailtree "${BENCH_HEAP:-1g}"
        BENCH_OPERATOR_TOKEN="$TOKEN" BENCH_PSQL="psql -h $PGHOST -p $PGPORT -U $PGUSER -d $DB" \
            run_bench_program 256m BillingBench "$BASE" "$MASTERS" "$SUBS"
    ) | tee "$OUT/issue.txt"
fi

if [[ "${BENCH_SKIP_SEND:-0}" != "1" ]]; then
    on="$(sed -nE 's/^send: .* = ([0-9,.]+) msg\/s accepted.*/\1/p' "$OUT/send-true.txt" | tr -d , | head -n 1)"
    off="$(sed -nE 's/^send: .* = ([0-9,.]+) msg\/s accepted.*/\1/p' "$OUT/send-false.txt" | tr -d , | head -n 1)"
    echo
    echo "== the credits check at accept (same machine, back to back) =="
    awk -v on="${on:-0}" -v off="${off:-0}" 'BEGIN {
        printf "accepted: check on %.0f msg/s, check off %.0f msg/s; on/off = %.3f (the issue asks >= 0.95)\n",
            on, off, (off > 0 ? on / off : 0) }'
fi
