#!/usr/bin/env bash
# Sub-accounts API benchmark: builds Mailtree if needed, starts it on a fresh PostgreSQL
# database and runs bench/SubaccountsBench.java against it. See bench/README.md.
#
# Usage: bench/subaccounts.sh [N]        (N = sub-accounts to create, default 10000)
# Environment: BENCH_PORT (default: first free port from 18080), PGHOST (default 127.0.0.1),
#              PGPORT (5432), PGUSER (postgres), BENCH_DB (mailtree_bench), JAVA (java),
#              BENCH_ANALYZE=1 to run ANALYZE on the database between the fill and the
#              measurements (useful where autovacuum is off, see README.md).
set -euo pipefail

N="${1:-10000}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/server.sh
source "$SCRIPT_DIR/server.sh"
start_mailtree 1g

# 4. The harness (the token goes by environment, not on the command line).
log "PostgreSQL autovacuum: $(psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$DB" -Atc 'show autovacuum')"
AFTER_FILL=""
if [[ "${BENCH_ANALYZE:-0}" == 1 ]]; then
    AFTER_FILL="psql -q -h '$PGHOST' -p '$PGPORT' -U '$PGUSER' -d '$DB' -c 'analyze'"
fi
BENCH_OPERATOR_TOKEN="$TOKEN" BENCH_AFTER_FILL="$AFTER_FILL" \
    "$JAVA" "$SCRIPT_DIR/SubaccountsBench.java" "$BASE" "$N"
