#!/usr/bin/env bash
# Send benchmark: POST /api/v1/send with 16 clients for 60 s (batches of 50 ~10 KB messages), every
# accepted message delivered by Mailtree's workers to a local SMTP sink (bench/SmtpSink.java) as its
# relay; accepted/s, delivered/s end to end, send-call p50/p99, refusals, and the raw rate of the same
# message blasted straight at the sink over SMTP; then the same message submitted over SMTP by 8 clients
# (Mailtree's submission port) for 30 s: accepted/s, p50/p99 per message, delivered/s. See bench/README.md.
#
# Usage: bench/send.sh [SECONDS]   (default 60)
# Environment: MAILTREE_DELIVERY_WORKERS (Mailtree's delivery threads, default 8), BENCH_THREADS (16),
#              BENCH_BATCH (50), BENCH_MESSAGE_BYTES (10240), BENCH_RAW_SECONDS (10), BENCH_RAW_THREADS
#              (the delivery workers), BENCH_DRAIN_TIMEOUT (900), BENCH_STALL_TIMEOUT (120), SINK_PORT (0 =
#              any free port), BENCH_HEAP (1g), BENCH_SMTP_CLIENTS (8), BENCH_SMTP_SECONDS (30; 0 skips the
#              SMTP submission phase), plus those of server.sh (BENCH_JAR, BENCH_PORT, PG*, BENCH_SUBMISSION_PORT
#              (default: first free port from 12587, or 0 when BENCH_SMTP_SECONDS=0); BENCH_DB defaults to
#              mailtree_sendbench here; BENCH_DATABASE=h2 runs it on the embedded H2 default instead).
set -euo pipefail

SECONDS_TO_SEND="${1:-60}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Its own database by default, so that it does not drop the one another benchmark is using.
export BENCH_DB="${BENCH_DB:-mailtree_sendbench}"
# shellcheck source=bench/server.sh
source "$SCRIPT_DIR/server.sh"

# Mailtree's SMTP submission port for the SMTP phase (off when that phase is skipped). Exported, so
# start_mailtree passes it on as MAILTREE_SUBMISSION_PORT and SendBench finds it.
if [[ "${BENCH_SMTP_SECONDS:-30}" == "0" ]]; then
    export BENCH_SUBMISSION_PORT=0
elif [[ -z "${BENCH_SUBMISSION_PORT:-}" ]]; then
    BENCH_SUBMISSION_PORT=12587
    while port_in_use "$BENCH_SUBMISSION_PORT" || [[ "$BENCH_SUBMISSION_PORT" == "$PORT" ]]; do
        BENCH_SUBMISSION_PORT=$((BENCH_SUBMISSION_PORT + 1))
    done
    export BENCH_SUBMISSION_PORT
elif port_in_use "$BENCH_SUBMISSION_PORT"; then
    log "port $BENCH_SUBMISSION_PORT (BENCH_SUBMISSION_PORT) is already in use"; exit 1
else
    export BENCH_SUBMISSION_PORT
fi

# The sink first: Mailtree needs its port as the relay. server.sh already chose PORT and WORK.
SINK_PID=""
SINK_LOG="$WORK/sink.log"
stop_sink() {
    if [[ -n "$SINK_PID" ]] && kill -0 "$SINK_PID" 2>/dev/null; then
        kill "$SINK_PID" 2>/dev/null || true
        wait "$SINK_PID" 2>/dev/null || true
        tail -n 1 "$SINK_LOG" >&2 || true
    fi
}
# server.sh's cleanup stops the server and exits with the script's status; stop the sink just before.
trap 'rc=$?; stop_sink; (exit $rc); cleanup' EXIT

"$JAVA" -Xmx256m "$SCRIPT_DIR/SmtpSink.java" --port "${SINK_PORT:-0}" --http-port 0 \
    --save '^(news@bench\.example\.test|warm-0@warm\.example\.test)$' --ready-file "$WORK/sink.ready" \
    >"$SINK_LOG" 2>&1 &
SINK_PID=$!
for _ in $(seq 1 300); do
    [[ -f "$WORK/sink.ready" ]] && break
    kill -0 "$SINK_PID" 2>/dev/null || { log "the sink exited: $(cat "$SINK_LOG")"; exit 1; }
    sleep 0.1
done
[[ -f "$WORK/sink.ready" ]] || { log "the sink did not start in 30 s"; exit 1; }
read -r SINK_SMTP SINK_HTTP < <(sed -E 's/smtp=([0-9]+) http=([0-9]+)/\1 \2/' "$WORK/sink.ready")
log "SMTP sink on 127.0.0.1:$SINK_SMTP (stats: http://127.0.0.1:$SINK_HTTP/stats, log: $SINK_LOG)"

# Exported, so start_mailtree's java child inherits them.
export MAILTREE_RELAY_HOST=127.0.0.1
export MAILTREE_RELAY_PORT="$SINK_SMTP"
export MAILTREE_BASE_URL="http://127.0.0.1:$PORT"
log "relay 127.0.0.1:$SINK_SMTP, base URL $MAILTREE_BASE_URL, delivery workers ${MAILTREE_DELIVERY_WORKERS:-8 (default)}, SMTP submission port $BENCH_SUBMISSION_PORT"
start_mailtree "${BENCH_HEAP:-1g}"

cpu_seconds() { # user+system CPU seconds of a process so far
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo "?"
}
SERVER_CPU_BEFORE="$(cpu_seconds "$SERVER_PID")"
SINK_CPU_BEFORE="$(cpu_seconds "$SINK_PID")"
log "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"

BENCH_RC=0
# The queue summary at the end reads PostgreSQL; the embedded database is the server's alone.
PSQL=""
[[ "$BENCH_DATABASE" == "postgresql" ]] && PSQL="psql -h $PGHOST -p $PGPORT -U $PGUSER -d $DB"
log "database: $BENCH_DATABASE"
BENCH_OPERATOR_TOKEN="$TOKEN" BENCH_PSQL="$PSQL" \
    run_bench_program 512m SendBench "$BASE" "$SINK_SMTP" "$SINK_HTTP" "$SECONDS_TO_SEND" || BENCH_RC=$?

echo "cpu:       Mailtree used $(cpu_seconds "$SERVER_PID") - $SERVER_CPU_BEFORE s of CPU, the sink" \
    "$(cpu_seconds "$SINK_PID") - $SINK_CPU_BEFORE s (start-up excluded)"
echo "server log: $(grep -cE '^[0-9T:.-]+Z? +ERROR ' "$SERVER_LOG" || true) ERROR, $(grep -cE '^[0-9T:.-]+Z? +WARN ' "$SERVER_LOG" || true) WARN line(s) ($SERVER_LOG)"
grep -E '^[0-9T:.-]+Z? +(ERROR|WARN) ' "$SERVER_LOG" | sed -E 's/^[^ ]+ +//; s/ [0-9]+ --- / --- /; s/(password) [^ ;]+/\1 ***/' | cut -c1-250 | sort | uniq -c | sort -rn | head -n 10 || true
exit "$BENCH_RC"
