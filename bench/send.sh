#!/usr/bin/env bash
# Send benchmark: POST /api/v1/send with 16 clients for 60 s (batches of 50 ~10 KB messages), every
# accepted message delivered by Mailtree's workers to a local SMTP sink (bench/SmtpSink.java) as its
# relay; accepted/s, delivered/s end to end, send-call p50/p99, refusals, and the raw rate of the same
# message blasted straight at the sink over SMTP; then the same message submitted over SMTP by 8 clients
# (Mailtree's submission port) for 30 s: accepted/s, p50/p99 per message, delivered/s. By default twice, back to
# back: with the outcome consumers running and with them off (BENCH_CONSUMERS=both|on|off), then the two
# delivered rates and the CPU per delivered message (Mailtree + its PostgreSQL backends) side by side.
# See bench/README.md.
#
# Usage: bench/send.sh [SECONDS]   (default 60)
# Environment: MAILTREE_DELIVERY_WORKERS (Mailtree's delivery threads, default 8), BENCH_THREADS (16),
#              BENCH_BATCH (50), BENCH_MESSAGE_BYTES (10240), BENCH_RAW_SECONDS (10), BENCH_RAW_THREADS
#              (the delivery workers), BENCH_DRAIN_TIMEOUT (900), BENCH_STALL_TIMEOUT (120), SINK_PORT (0 =
#              any free port), BENCH_HEAP (1g), BENCH_SMTP_CLIENTS (8), BENCH_SMTP_SECONDS (30; 0 skips the
#              SMTP submission phase), BENCH_CONSUMERS (both; abba for on, off, off, on; on or off for one pass), plus those of server.sh (BENCH_JAR, BENCH_PORT, PG*, BENCH_SUBMISSION_PORT
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

# BENCH_CONSUMERS: both (default) measures the same benchmark twice, back to back on this machine, each on
# a fresh database, a fresh sink and a fresh Mailtree: first with the outcome consumers running, then with
# them off (MAILTREE_OUTCOMES_CONSUMERS_ENABLED=false); "abba" runs on, off, off, on, so a machine whose load
# drifts during the run weighs on both sides alike (the figures are then the mean of each side's two
# passes); "on" or "off" runs one pass only.
case "${BENCH_CONSUMERS:-both}" in
    both) PASSES=(on off) ;;
    abba) PASSES=(on off off on) ;;
    on) PASSES=(on) ;;
    off) PASSES=(off) ;;
    *) log "BENCH_CONSUMERS is both, abba, on or off, not $BENCH_CONSUMERS"; exit 1 ;;
esac
# BENCH_WEBHOOKS (the issue's "send benchmark's delivered msg/s unchanged beside" the webhook benchmark):
# "beside" runs two passes instead, both with the consumers on: the send alone, then the same send while
# bench/WebhooksBench.java, against the same server, offers BENCH_WEBHOOKS_RATE (2,000) DELIVERED events a
# second of another master for the send's SECONDS, delivered to its local receiver with every signature
# verified; "abba" runs alone, beside, beside, alone. Both print their figures and the ratio of the
# delivered rates. Off by default.
case "${BENCH_WEBHOOKS:-off}" in
    off) ;;
    beside) PASSES=(on hooks) ;;
    abba) PASSES=(on hooks hooks on) ;;
    *) log "BENCH_WEBHOOKS is off, beside or abba, not $BENCH_WEBHOOKS"; exit 1 ;;
esac
WEBHOOKS_RATE="${BENCH_WEBHOOKS_RATE:-2000}"
if [[ "${BENCH_WEBHOOKS:-off}" != off ]]; then
    # The receiver listens on loopback, which webhooks refuse by default: allowed for this server only, on
    # every pass alike.
    export MAILTREE_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=127.0.0.0/8
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
    SINK_PID=""
}
# server.sh's cleanup stops the server and exits with the script's status; stop the sink just before (errexit off:
# under set -e the "(exit $rc)" of a failed run would end the trap before cleanup, leaving the server running).
trap 'rc=$?; stop_sink; set +e; (exit $rc); cleanup' EXIT

start_sink() {
    SINK_LOG="$WORK/sink-$1.log"
    start_smtp_sink "$SINK_LOG" --port "${SINK_PORT:-0}" --http-port 0 \
        --save '^(news@bench\.example\.test|warm-0@warm\.example\.test)$'
    log "SMTP sink on 127.0.0.1:$SINK_SMTP (stats: http://127.0.0.1:$SINK_HTTP/stats, log: $SINK_LOG)"
}

cpu_seconds() { # user+system CPU seconds of a process so far
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo "?"
}
cpu_ticks() { # user+system CPU ticks of a process so far (0 when it is gone)
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# The PostgreSQL backends serving Mailtree's database (its pool), as "pid ticks" lines; none on H2.
backend_ticks() {
    [[ -n "$PSQL" ]] || return 0
    local pid
    for pid in $($PSQL -Atc "select pid from pg_stat_activity where datname = '$DB' and pid <> pg_backend_pid()" 2>/dev/null); do
        echo "$pid $(cpu_ticks "$pid")"
    done
}
# The CPU ticks of a process's threads, summed by thread name with any trailing number dropped, as "name
# ticks" lines: the outcome consumers' threads are named outcomes-<consumer> (Linux keeps 15 characters).
thread_ticks() {
    local task
    for task in /proc/"$1"/task/*; do
        [[ -r "$task/stat" ]] || continue
        # the name is in parentheses and may hold spaces: take the fields after the last ')'
        awk '{ line = $0; name = substr(line, index(line, "(") + 1); name = substr(name, 1, length(name) - length(substr(name, index(name, ")"))))
               rest = substr(line, index(line, ") ") + 2); split(rest, f, " ")
               gsub(/[-#]?[0-9]+$/, "", name); gsub(/ /, "_", name); print name, f[12] + f[13] }' "$task/stat"
    done | awk '{ t[$1] += $2 } END { for (n in t) print n, t[n] }'
}
# CPU seconds the backends used between two backend_ticks samples (a backend opened meanwhile counts whole).
backend_seconds() {
    awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { before[$1] = $2; next } { used += $2 - ($1 in before ? before[$1] : 0) }
        END { printf "%.1f", used / hz }' "$1" "$2"
}

# The queue summary at the end reads PostgreSQL; the embedded database is the server's alone.
PSQL=""
[[ "$BENCH_DATABASE" == "postgresql" ]] && PSQL="psql -h $PGHOST -p $PGPORT -U $PGUSER -d $DB"
log "database: $BENCH_DATABASE"
BENCH_RC=0
declare -A RATE DELIVERED SERVER_CPU DB_CPU CONSUMER_CPU HOOK_RATE
for index in "${!PASSES[@]}"; do
    mode="${PASSES[$index]}"
    # A pass's files and figures are keyed by its mode and its place in the run (on-1, off-2, ...).
    pass="$mode-$((index + 1))"
    if [[ -n "$SERVER_PID" ]]; then
        stop_mailtree
        stop_sink
        fresh_database
    fi
    log "=== pass: outcome consumers $pass ==="
    start_sink "$pass"
    # Exported, so start_mailtree's java child inherits them.
    export MAILTREE_RELAY_HOST=127.0.0.1
    export MAILTREE_RELAY_PORT="$SINK_SMTP"
    export MAILTREE_OUTCOMES_CONSUMERS_ENABLED=$([[ "$mode" != "off" ]] && echo true || echo false)
    log "relay 127.0.0.1:$SINK_SMTP, delivery workers ${MAILTREE_DELIVERY_WORKERS:-8 (default)}, SMTP submission port $BENCH_SUBMISSION_PORT, outcome consumers $pass"
    SERVER_LOG="$WORK/server-$pass.log"
    start_mailtree "${BENCH_HEAP:-1g}"

    SERVER_CPU_BEFORE="$(cpu_seconds "$SERVER_PID")"
    SINK_CPU_BEFORE="$(cpu_seconds "$SINK_PID")"
    log "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"

    # The CPU per delivered message counts from the start of the send phase (set-up and warm-up left out)
    # to the end of SendBench (the drain included): sampled when SendBench says the send starts.
    : >"$WORK/send-$pass.txt"
    if [[ "$mode" == "hooks" ]]; then
        mkdir -p "$WORK/webhook-classes"
        "${JAVAC:-$(dirname "$(command -v "$JAVA")")/javac}" -d "$WORK/webhook-classes" "$ROOT/bench/Bench.java" \
            "$ROOT/bench/WebhooksBench.java" || { log "could not compile bench/WebhooksBench.java"; exit 1; }
        rm -f "$WORK/webhooks-$pass.pid"
    fi
    set +e
    BENCH_OPERATOR_TOKEN="$TOKEN" BENCH_PSQL="$PSQL" \
        run_bench_program 512m SendBench "$BASE" "$SINK_SMTP" "$SINK_HTTP" "$SECONDS_TO_SEND" \
        | while IFS= read -r line; do
            printf '%s\n' "$line"
            printf '%s\n' "$line" >>"$WORK/send-$pass.txt"
            if [[ "$line" == "send: "*" threads, batches of "* ]]; then
                cpu_ticks "$SERVER_PID" >"$WORK/server-send-start-$pass"
                thread_ticks "$SERVER_PID" >"$WORK/threads-before-$pass"
                backend_ticks >"$WORK/backends-before-$pass"
                if [[ "$mode" == "hooks" ]]; then
                    BENCH_OPERATOR_TOKEN="$TOKEN" BENCH_PSQL="$PSQL" BENCH_SERVER_PID="$SERVER_PID" BENCH_DB_NAME="$DB" \
                        "$JAVA" -Xmx256m -cp "$WORK/webhook-classes" WebhooksBench "$BASE" "$SECONDS_TO_SEND" \
                        "$WEBHOOKS_RATE" >"$WORK/webhooks-$pass.txt" 2>&1 &
                    echo $! >"$WORK/webhooks-$pass.pid"
                fi
            fi
        done
    pass_rc=${PIPESTATUS[0]}
    set -e
    if [[ "$mode" == "hooks" ]]; then
        # Started inside the pipeline's subshell, so not this shell's child: wait for it by its pid.
        if [[ -s "$WORK/webhooks-$pass.pid" ]]; then
            hook_pid="$(cat "$WORK/webhooks-$pass.pid")"
            while kill -0 "$hook_pid" 2>/dev/null; do sleep 1; done
        fi
        sed 's/^/webhooks:  /' "$WORK/webhooks-$pass.txt" 2>/dev/null || true
        grep -q "bad signatures" "$WORK/webhooks-$pass.txt" 2>/dev/null && ! grep -q "Exception" "$WORK/webhooks-$pass.txt" \
            || { log "the webhook benchmark beside the send failed ($WORK/webhooks-$pass.txt)"; BENCH_RC=1; }
        HOOK_RATE[$pass]="$(sed -nE 's/^delivered [0-9,]+ events by the end of the window: ([0-9,]+) events\/s.*/\1/p' \
            "$WORK/webhooks-$pass.txt" | tr -d , | head -n 1)"
    fi
    [[ $pass_rc -eq 0 ]] || BENCH_RC=$pass_rc
    [[ -s "$WORK/server-send-start-$pass" ]] || cpu_ticks "$SERVER_PID" >"$WORK/server-send-start-$pass"
    [[ -f "$WORK/backends-before-$pass" ]] || : >"$WORK/backends-before-$pass"
    [[ -f "$WORK/threads-before-$pass" ]] || : >"$WORK/threads-before-$pass"
    thread_ticks "$SERVER_PID" >"$WORK/threads-after-$pass"
    # Where Mailtree's CPU went during the send and the drain, by thread name, the busiest first.
    echo "threads:   CPU seconds by thread name, send start to drained:"
    awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { before[$1] = $2; next } { used = ($2 - before[$1]) / hz; if (used >= 0.1) printf "  %-22s %7.1f s\n", $1, used }' \
        "$WORK/threads-before-$pass" "$WORK/threads-after-$pass" | sort -k2 -rn | head -n 15
    CONSUMER_CPU[$pass]="$(awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { before[$1] = $2; next } $1 ~ /^outcomes-/ { used += $2 - before[$1] }
        END { printf "%.1f", used / hz }' "$WORK/threads-before-$pass" "$WORK/threads-after-$pass")"

    backend_ticks >"$WORK/backends-after-$pass"
    SERVER_CPU_AFTER="$(cpu_seconds "$SERVER_PID")"
    echo "cpu:       Mailtree used $SERVER_CPU_AFTER - $SERVER_CPU_BEFORE s of CPU, the sink" \
        "$(cpu_seconds "$SINK_PID") - $SINK_CPU_BEFORE s (start-up excluded)"
    echo "server log: $(grep -cE '^[0-9T:.-]+Z? +ERROR ' "$SERVER_LOG" || true) ERROR, $(grep -cE '^[0-9T:.-]+Z? +WARN ' "$SERVER_LOG" || true) WARN line(s) ($SERVER_LOG)"
    grep -E '^[0-9T:.-]+Z? +(ERROR|WARN) ' "$SERVER_LOG" | sed -E 's/^[^ ]+ +//; s/ [0-9]+ --- / --- /; s/(password) [^ ;]+/\1 ***/' | cut -c1-250 | sort | uniq -c | sort -rn | head -n 10 || true

    RATE[$pass]="$(sed -nE 's/^delivered: first accept -> last delivery .* = ([0-9,.]+) msg\/s end to end.*/\1/p' "$WORK/send-$pass.txt" | tr -d , | head -n 1)"
    DELIVERED[$pass]="$(sed -nE 's/^delivered: ([0-9,]+) of [0-9,]+ accepted.*/\1/p' "$WORK/send-$pass.txt" | tr -d , | head -n 1)"
    SERVER_CPU[$pass]="$(awk -v a="$(cpu_ticks "$SERVER_PID")" -v b="$(cat "$WORK/server-send-start-$pass")" \
        -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (a - b) / hz }')"
    DB_CPU[$pass]="$([[ -n "$PSQL" ]] && backend_seconds "$WORK/backends-before-$pass" "$WORK/backends-after-$pass" || echo 0)"
done

echo
if [[ "${BENCH_WEBHOOKS:-off}" != off ]]; then
    echo "== delivered alone and beside the webhook benchmark (consumers on; same machine, back to back) =="
else
    echo "== delivered with and without the outcome consumers (same machine, back to back) =="
fi
for index in "${!PASSES[@]}"; do
    pass="${PASSES[$index]}-$((index + 1))"
    [[ "${PASSES[$index]}" != hooks ]] || echo "webhooks  $pass: ${HOOK_RATE[$pass]:-?} events/s delivered during the send (offered $WEBHOOKS_RATE)"
    awk -v pass="$pass" -v rate="${RATE[$pass]:-0}" -v n="${DELIVERED[$pass]:-0}" -v server="${SERVER_CPU[$pass]}" \
        -v db="${DB_CPU[$pass]}" -v consumers="${CONSUMER_CPU[$pass]}" -v database="$BENCH_DATABASE" 'BEGIN {
        per = (n > 0 ? (server + db) * 1000 / n : 0)
        printf "consumers %-5s: %8.0f msg/s delivered end to end, %d delivered; CPU %.1f s Mailtree (%.1f s of it the consumer threads) + %.1f s PostgreSQL backends = %.2f ms per delivered message%s\n",
            pass, rate, n, server, consumers, db, per, (database == "h2" ? " (H2: in the Mailtree figure)" : "") }'
done
# Each side's mean over its passes, then the ratio of the means.
{
    for index in "${!PASSES[@]}"; do
        pass="${PASSES[$index]}-$((index + 1))"
        echo "${PASSES[$index]} ${RATE[$pass]:-0} ${DELIVERED[$pass]:-0} ${SERVER_CPU[$pass]:-0} ${DB_CPU[$pass]:-0} ${CONSUMER_CPU[$pass]:-0}"
    done
} | awk '{ passes[$1]++; rate[$1] += $2; n[$1] += $3; cpu[$1] += $4 + $5; consumers[$1] += $6 }
    END {
        if (!("on" in passes) || !("off" in passes)) exit
        on = rate["on"] / passes["on"]; off = rate["off"] / passes["off"]
        printf "mean:          on %.0f msg/s (%d pass(es)), off %.0f msg/s (%d pass(es)); CPU per delivered message on %.2f ms, off %.2f ms; the consumer threads %.3f ms of it\n",
            on, passes["on"], off, passes["off"], (n["on"] ? cpu["on"] * 1000 / n["on"] : 0),
            (n["off"] ? cpu["off"] * 1000 / n["off"] : 0), (n["on"] ? consumers["on"] * 1000 / n["on"] : 0)
        printf "ratio:         delivered msg/s with consumers / without = %.3f\n", (off > 0 ? on / off : 0)
    }'
# With BENCH_WEBHOOKS: the send's delivered rate beside the webhooks against alone, means of each side.
{
    for index in "${!PASSES[@]}"; do
        pass="${PASSES[$index]}-$((index + 1))"
        echo "${PASSES[$index]} ${RATE[$pass]:-0} ${DELIVERED[$pass]:-0} ${SERVER_CPU[$pass]:-0} ${DB_CPU[$pass]:-0} ${HOOK_RATE[$pass]:-0}"
    done
} | awk '{ passes[$1]++; rate[$1] += $2; n[$1] += $3; cpu[$1] += $4 + $5; hooks[$1] += $6 }
    END {
        if (!("on" in passes) || !("hooks" in passes)) exit
        alone = rate["on"] / passes["on"]; beside = rate["hooks"] / passes["hooks"]
        printf "mean:          send alone %.0f msg/s (%d pass(es)), beside the webhooks %.0f msg/s (%d pass(es)) while they delivered %.0f events/s; CPU per delivered message alone %.2f ms, beside %.2f ms (the webhooks'"'"' work included)\n",
            alone, passes["on"], beside, passes["hooks"], hooks["hooks"] / passes["hooks"],
            (n["on"] ? cpu["on"] * 1000 / n["on"] : 0), (n["hooks"] ? cpu["hooks"] * 1000 / n["hooks"] : 0)
        printf "ratio:         delivered msg/s beside the webhooks / alone = %.3f\n", (alone > 0 ? beside / alone : 0)
    }'
exit "$BENCH_RC"
