#!/usr/bin/env bash
# Outcome consumer benchmark: for each consumer of the delivery event stream (contacts.suppressions,
# accounts.last-send, keys.reputation, tracking.webhooks, billing.metering), append a backlog of 500,000 events in one transaction and time the consumer
# through it, alone; prints events/s and CPU per event (server JVM plus its PostgreSQL backends).
# See bench/README.md.
#
# Usage: bench/consumers.sh [EVENTS]   (default 500000)
# Environment: BENCH_CONTACTS (10000 subscribed contacts the events are about), BENCH_HEAP (1g),
#              plus those of server.sh (BENCH_JAR, BENCH_PORT, PG*; BENCH_DB defaults to
#              mailtree_consumerbench here), BENCH_ONLY (comma-separated consumer names: just those).
set -euo pipefail

EVENTS="${1:-500000}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export BENCH_DB="${BENCH_DB:-mailtree_consumerbench}"
# shellcheck source=bench/server.sh
source "$SCRIPT_DIR/server.sh"
# The webhook consumer's endpoint is a receiver on this machine (ConsumersBench).
export MAILTREE_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=127.0.0.0/8
start_mailtree "${BENCH_HEAP:-1g}"

log "cpus: $(nproc), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
BENCH_OPERATOR_TOKEN="$TOKEN" BENCH_WORK="$WORK" BENCH_PSQL="psql -h $PGHOST -p $PGPORT -U $PGUSER -d $DB" \
BENCH_SERVER_PID="$SERVER_PID" BENCH_DB_NAME="$DB" \
    run_bench_program 256m ConsumersBench "$BASE" "$EVENTS" "${BENCH_CONTACTS:-10000}"
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
