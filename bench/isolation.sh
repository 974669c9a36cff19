#!/usr/bin/env bash
# Isolation benchmark (D-20): one account, a TRANSACTIONAL key sending alone (phase A), then the same
# transactional load while a MARKETING key's backlog of BENCH_BACKLOG messages drains (phase B), both
# delivered by Mailtree's workers to a local SMTP sink; prints the transactional key's delivered msg/s
# and accept→relay p50/p99 for both phases side by side, and the server's CPU. See bench/README.md.
#
# Usage: bench/isolation.sh [BACKLOG]   (default 50000)
# Environment: BENCH_TX_SECONDS (15), BENCH_TX_CLIENTS (2), BENCH_TX_BATCH (5), MAILTREE_DELIVERY_WORKERS
#              (8), BENCH_HEAP (1g), plus those of server.sh (BENCH_JAR, BENCH_PORT, PG*; BENCH_DB defaults
#              to mailtree_isolationbench here).
set -euo pipefail

export BENCH_BACKLOG="${1:-${BENCH_BACKLOG:-50000}}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export BENCH_DB="${BENCH_DB:-mailtree_isolationbench}"
export BENCH_SUBMISSION_PORT=0
# shellcheck source=bench/server.sh
source "$SCRIPT_DIR/server.sh"
[[ "$BENCH_DATABASE" == "postgresql" ]] || { log "the isolation benchmark reads its figures from PostgreSQL"; exit 1; }

SINK_PID=""
SINK_LOG="$WORK/sink.log"
stop_sink() {
    if [[ -n "$SINK_PID" ]] && kill -0 "$SINK_PID" 2>/dev/null; then
        kill "$SINK_PID" 2>/dev/null || true
        wait "$SINK_PID" 2>/dev/null || true
    fi
}
trap 'rc=$?; stop_sink; (exit $rc); cleanup' EXIT

start_smtp_sink "$SINK_LOG" --port 0 --http-port 0 --save '^shop@iso\.example\.test$' --quiet

export MAILTREE_RELAY_HOST=127.0.0.1
export MAILTREE_RELAY_PORT="$SINK_SMTP"
start_mailtree "${BENCH_HEAP:-1g}"

# IsolationBench borrows SendBench's sender confirmation, so all three compile together.
JAVAC="${JAVAC:-$(dirname "$(command -v "$JAVA")")/javac}"
CLASSES="$WORK/bench-classes"
mkdir -p "$CLASSES"
"$JAVAC" -d "$CLASSES" "$ROOT/bench/Bench.java" "$ROOT/bench/SendBench.java" "$ROOT/bench/IsolationBench.java"
BENCH_OPERATOR_TOKEN="$TOKEN" BENCH_SERVER_PID="$SERVER_PID" \
BENCH_PSQL="psql -h $PGHOST -p $PGPORT -U $PGUSER -d $DB" \
    "$JAVA" -Xmx256m -cp "$CLASSES" IsolationBench "$BASE" "$SINK_SMTP" "$SINK_HTTP"
