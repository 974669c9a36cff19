#!/usr/bin/env bash
# Tracking benchmark: the open pixel and click redirect of campaign mail (ADR 0027). Sends a campaign of
# 200 recipients to a local SMTP sink, takes the signed URLs out of the mail the sink saved, then
# requests them: a closed loop (the ceiling), an open loop at RATE requests/s, and the same rate while a
# 10,000-recipient campaign is sent. Prints requests/s, p50/p99, errors and CPU per request (server JVM
# plus its PostgreSQL backends) per phase, side by side, and whether the report counted every request.
# See bench/README.md.
#
# Usage: bench/tracking.sh [SECONDS] [RATE]   (defaults 10 and 2000)
# Environment: BENCH_HEAP (1g), BENCH_CLIENTS (16), BENCH_RECIPIENTS (200, at most 200: the sink keeps
#              that many), BENCH_SENDING (10000), plus those of server.sh (BENCH_JAR, BENCH_PORT, PG*;
#              BENCH_DB defaults to mailtree_trackingbench here).
set -euo pipefail

SECONDS_TO_RUN="${1:-10}"
RATE="${2:-2000}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export BENCH_DB="${BENCH_DB:-mailtree_trackingbench}"
# shellcheck source=bench/server.sh
source "$SCRIPT_DIR/server.sh"

SINK_PID=""
stop_sink() {
    if [[ -n "$SINK_PID" ]] && kill -0 "$SINK_PID" 2>/dev/null; then
        kill "$SINK_PID" 2>/dev/null || true
        wait "$SINK_PID" 2>/dev/null || true
    fi
    SINK_PID=""
}
trap 'rc=$?; stop_sink; set +e; (exit $rc); cleanup' EXIT
start_smtp_sink "$WORK/sink.log" --port 0 --http-port 0 --quiet \
    --save '^(news@bench\.example\.test|reader[0-9]+@readers\.bench\.example\.test)$'
log "SMTP sink on 127.0.0.1:$SINK_SMTP"
export MAILTREE_RELAY_HOST=127.0.0.1
export MAILTREE_RELAY_PORT="$SINK_SMTP"
export MAILTREE_BASE_URL="http://127.0.0.1:$PORT"
start_mailtree "${BENCH_HEAP:-1g}"

log "cpus: $(nproc), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
BENCH_OPERATOR_TOKEN="$TOKEN" BENCH_PSQL="psql -h $PGHOST -p $PGPORT -U $PGUSER -d $DB" \
BENCH_SERVER_PID="$SERVER_PID" BENCH_DB_NAME="$DB" \
    run_bench_program 512m TrackingBench "$BASE" "http://127.0.0.1:$SINK_HTTP" "$SECONDS_TO_RUN" "$RATE"
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
