#!/usr/bin/env bash
# Shared by the benchmark scripts: builds Mailtree if needed, starts it on a fresh PostgreSQL
# database (or, with BENCH_DATABASE=h2, on its embedded H2 default in a fresh data directory) and
# stops it on exit. Source it, then call start_mailtree HEAP; it sets BASE (the
# server's address), TOKEN (the operator token), DB and the PG* variables.
#
# Environment: BENCH_PORT (default: first free port from 18080), PGHOST (default 127.0.0.1),
#              PGPORT (5432), PGUSER (postgres), BENCH_DB (mailtree_bench), JAVA (java),
#              BENCH_JAVA_OPTS (extra JVM options for the server, e.g. a flight recording),
#              BENCH_SUBMISSION_PORT (Mailtree's SMTP submission port, default 0 = off),
#              BENCH_DATABASE (postgresql, the default, or h2: the embedded default, no PostgreSQL needed),
#              BENCH_BOOT_TIMEOUT (seconds to wait for the server to answer UP, default 180).

# The benchmark's SMTP clients authenticate in plain text on loopback, so the server is started with
# MAILTREE_SUBMISSION_REQUIRE_TLS=false (Mailtree's default requires STARTTLS before AUTH).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="${BENCH_JAR:-$ROOT/target/mailtree-0.1.0-SNAPSHOT.jar}"
JAVA="${JAVA:-java}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
DB="${BENCH_DB:-mailtree_bench}"
BENCH_DATABASE="${BENCH_DATABASE:-postgresql}"

log() { printf '[bench] %s\n' "$*" >&2; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# 1. The jar.
if [[ ! -f "$JAR" ]]; then
    log "building $JAR (mvn -B -q package -DskipTests)"
    (cd "$ROOT" && mvn -B -q package -DskipTests)
fi
[[ -f "$JAR" ]] || { log "no jar at $JAR after the build"; exit 1; }

# 2. A fresh database (the embedded one is created under the fresh data directory at start). A script
# that starts Mailtree more than once calls fresh_database again between stop_mailtree and start_mailtree.
fresh_database() {
if [[ "$BENCH_DATABASE" == "h2" ]]; then
    log "embedded H2 database under the server's data directory"
    [[ -z "${WORK:-}" ]] || rm -rf "$WORK/data"
elif [[ "$BENCH_DATABASE" == "postgresql" ]]; then
    log "recreating database $DB on $PGHOST:$PGPORT"
    dropdb --if-exists -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$DB"
    createdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$DB"
else
    log "BENCH_DATABASE is postgresql or h2, not $BENCH_DATABASE"; exit 1
fi
}
fresh_database

# 3. The server. Without BENCH_PORT each start takes a random free port from 18080-18979 and checks that
# the server answering there is this one: several benchmarks may start at the same moment on a shared
# machine, and a port seen free can be bound by another one's server first, whose health check then
# answers UP while our operator token is refused (401 invalid_operator_token).
PORT="${BENCH_PORT:-}"
if [[ -n "$PORT" ]] && port_in_use "$PORT"; then
    log "port $PORT is already in use"; exit 1
fi
pick_port() {
    if [[ -n "${BENCH_PORT:-}" ]]; then PORT="$BENCH_PORT"; return; fi
    PORT=$((18080 + RANDOM % 900))
    while port_in_use "$PORT"; do PORT=$((18080 + RANDOM % 900)); done
}
[[ -n "$PORT" ]] || pick_port
TOKEN="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mailtree-bench.XXXXXX")"
SERVER_LOG="$WORK/server.log"
SERVER_PID=""

# Stops the server started last (TERM, then KILL after 30 s).
stop_mailtree() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        log "stopping server (pid $SERVER_PID)"
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 30); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 1; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

cleanup() {
    local rc=$?
    stop_mailtree
    if [[ -f "$SERVER_LOG" ]]; then
        local errors
        errors="$(grep -cE '^[0-9T:.-]+Z? +ERROR ' "$SERVER_LOG" || true)"
        log "server log: ${errors:-0} ERROR line(s)"
        grep -E '^[0-9T:.-]+Z? +ERROR ' "$SERVER_LOG" | head -n 20 >&2 || true
    fi
    if [[ $rc -ne 0 ]]; then
        log "FAILED (exit $rc). Last server log lines ($SERVER_LOG):"
        tail -n 60 "$SERVER_LOG" >&2 2>/dev/null || true
        log "server log and data kept in $WORK"
    else
        rm -rf "$WORK/data"
        log "server log kept at $SERVER_LOG"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_mailtree() {
local heap="${1:-1g}" attempt
for attempt in 1 2 3 4 5; do
    (( attempt == 1 )) || pick_port
    if start_mailtree_once "$heap"; then return 0; fi
    log "port $PORT was taken by another process while this server started; trying another port"
done
log "no free port after 5 attempts"; exit 1
}

# Starts the server on PORT and waits until it is UP and accepts this run's operator token; returns 1 when
# the server stopped because another process had bound PORT first (the caller picks another), and exits on
# any other failure.
start_mailtree_once() {
local heap="$1"
log "starting Mailtree on 127.0.0.1:$PORT with -Xmx$heap (log: $SERVER_LOG)"
mkdir -p "$WORK/data"
local datasource=()
# -XX:ThreadPriorityPolicy=1 below, as bin/start runs it: thread priorities reach the OS, so the outcome
# consumers yield to delivery.
if [[ "$BENCH_DATABASE" == "postgresql" ]]; then
    datasource=(SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$DB" SPRING_DATASOURCE_USERNAME="$PGUSER"
        SPRING_DATASOURCE_PASSWORD=)
fi
env "${datasource[@]}" \
MAILTREE_OPERATOR_TOKEN="$TOKEN" \
MAILTREE_BASE_URL="${BENCH_BASE_URL:-http://127.0.0.1:$PORT}" \
SERVER_PORT="$PORT" \
MAILTREE_DATA_DIR="$WORK/data" \
MAILTREE_SUBMISSION_PORT="${BENCH_SUBMISSION_PORT:-0}" \
MAILTREE_SUBMISSION_REQUIRE_TLS=false \
MAILTREE_INBOUND_PORT=0 \
    "$JAVA" "-Xmx$heap" -XX:ThreadPriorityPolicy=1 ${BENCH_JAVA_OPTS:-} -jar "$JAR" >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

BASE="http://127.0.0.1:$PORT"
log "waiting for $BASE/actuator/health to answer UP"
deadline=$((SECONDS + ${BENCH_BOOT_TIMEOUT:-180}))
local status
while true; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
        if grep -qiE "port $PORT (is|was) already in use|address already in use" "$SERVER_LOG"; then
            return 1
        fi
        log "server exited during start-up"; exit 1
    fi
    (( SECONDS < deadline )) || { log "server not UP after ${BENCH_BOOT_TIMEOUT:-180} s (BENCH_BOOT_TIMEOUT)"; exit 1; }
    if curl -fsS --max-time 5 "$BASE/actuator/health" 2>/dev/null | grep -q '"status" *: *"UP"'; then
        # UP, but from which server? Only ours takes this run's token.
        status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $TOKEN" \
            "$BASE/api/platform/v1/masters" || true)"
        [[ "$status" == "200" ]] && break
        # Another server holds the port: ours fails to bind and stops (the loop's first check).
    fi
    sleep 1
done
log "server UP (${SECONDS}s since the script started)"
}

# Compiles a benchmark program together with the helpers the programs share (bench/Bench.java) and
# runs it: JDK 17's single-file launcher would see only the one file. Environment assignments before
# the call reach the program. Usage: run_bench_program HEAP Program ARGS...  (Program without .java)
run_bench_program() {
    local heap="$1" program="$2"
    shift 2
    local javac="${JAVAC:-$(dirname "$(command -v "$JAVA")")/javac}"
    local classes="$WORK/bench-classes"
    mkdir -p "$classes"
    "$javac" -d "$classes" "$ROOT/bench/Bench.java" "$ROOT/bench/$program.java" \
        || { log "could not compile bench/$program.java (JAVAC=$javac)"; return 1; }
    "$JAVA" "-Xmx$heap" -cp "$classes" "$program" "$@"
}

# Starts bench/SmtpSink.java in the background and waits until it listens (at most 30 s); sets
# SINK_PID and the ports it chose, SINK_SMTP and SINK_HTTP. Usage: start_smtp_sink LOG SINK_ARGS...
start_smtp_sink() {
    local sink_log="$1"
    shift
    rm -f "$WORK/sink.ready"
    "$JAVA" -Xmx256m "$ROOT/bench/SmtpSink.java" "$@" --ready-file "$WORK/sink.ready" >"$sink_log" 2>&1 &
    SINK_PID=$!
    for _ in $(seq 1 300); do
        [[ -f "$WORK/sink.ready" ]] && break
        kill -0 "$SINK_PID" 2>/dev/null || { log "the sink exited: $(cat "$sink_log")"; exit 1; }
        sleep 0.1
    done
    [[ -f "$WORK/sink.ready" ]] || { log "the sink did not start in 30 s"; exit 1; }
    read -r SINK_SMTP SINK_HTTP < <(sed -E 's/smtp=([0-9]+) http=([0-9]+)/\1 \2/' "$WORK/sink.ready")
}
