#!/usr/bin/env bash
# Webhook benchmark: appends DELIVERED events to the outcome stream at RATE events/s for SECONDS
# seconds, for one account with one endpoint subscribed to message.delivered, served by a local HTTP
# receiver in the benchmark that verifies every Standard Webhooks signature; prints events/s
# delivered beside the rate offered, end-to-end latency and CPU per event (server JVM plus its
# PostgreSQL backends). See bench/README.md.
#
# Usage: bench/webhooks.sh [SECONDS] [RATE]   (defaults 30 and 2000)
# Environment: BENCH_HEAP (1g), plus those of server.sh (BENCH_JAR, BENCH_PORT, PG*; BENCH_DB defaults
#              to mailtree_webhookbench here).
set -euo pipefail

SECONDS_TO_RUN="${1:-30}"
RATE="${2:-2000}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export BENCH_DB="${BENCH_DB:-mailtree_webhookbench}"
# The receiver listens on loopback, which webhooks refuse by default: allow it for this server only.
export MAILTREE_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=127.0.0.0/8
# shellcheck source=bench/server.sh
source "$SCRIPT_DIR/server.sh"
start_mailtree "${BENCH_HEAP:-1g}"

log "cpus: $(nproc), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
BENCH_OPERATOR_TOKEN="$TOKEN" BENCH_PSQL="psql -h $PGHOST -p $PGPORT -U $PGUSER -d $DB" \
BENCH_SERVER_PID="$SERVER_PID" BENCH_DB_NAME="$DB" \
    run_bench_program 256m WebhooksBench "$BASE" "$SECONDS_TO_RUN" "$RATE"
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
