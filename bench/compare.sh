#!/usr/bin/env bash
# Runs one benchmark script against two jars in turn, A B B A (or A B with BENCH_ORDER=ab), so a machine
# whose load drifts weighs on both alike, and prints each run's summary lines side by side. For a
# before/after figure of a change: build the jar before and after it, copy both, and compare them here.
#
# Usage: bench/compare.sh SCRIPT JAR_A JAR_B [SCRIPT ARGS...]
#        e.g. bench/compare.sh isolation.sh before.jar after.jar 20000
# Environment: BENCH_ORDER (abba, the default, or ab), BENCH_SUMMARY (an extended regular expression for
#              the lines to show; by default the lines with a ratio or a with/without figure), plus those
#              of the script (each run starts its own server on a fresh database).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="$1" jar_a="$2" jar_b="$3"
shift 3
[[ -f "$jar_a" && -f "$jar_b" ]] || { echo "[compare] both jars must exist: $jar_a $jar_b" >&2; exit 1; }
case "${BENCH_ORDER:-abba}" in
    abba) order=(A B B A) ;;
    ab) order=(A B) ;;
    *) echo "[compare] BENCH_ORDER is abba or ab" >&2; exit 1 ;;
esac
summary="${BENCH_SUMMARY:-with/without|no backlog|msg/s|p50|p99|backlog|ratio|load average}"
out="$(mktemp -d "${TMPDIR:-/tmp}/mailtree-compare.XXXXXX")"
rc=0
for index in "${!order[@]}"; do
    side="${order[$index]}"
    jar="$jar_a"; [[ "$side" == B ]] && jar="$jar_b"
    echo "[compare] run $((index + 1)) of ${#order[@]}: $side ($jar), log $out/run-$((index + 1))-$side.log" >&2
    BENCH_JAR="$jar" "$SCRIPT_DIR/$script" "$@" >"$out/run-$((index + 1))-$side.log" 2>&1 || {
        echo "[compare] run $((index + 1)) ($side) failed: exit $?; see its log" >&2; rc=1; }
done
echo "A = $jar_a"
echo "B = $jar_b"
for index in "${!order[@]}"; do
    side="${order[$index]}"
    echo "--- run $((index + 1)): $side"
    grep -E "$summary" "$out/run-$((index + 1))-$side.log" | grep -v '^\[bench\]' || true
done
exit $rc
