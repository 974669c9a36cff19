#!/usr/bin/env bash
# Contacts benchmark: a 1,000,000-row CSV import on PostgreSQL with the server at -Xmx512m (rows/s
# and peak heap, beside a plain COPY of the same file into a bare table), sharing a 100,000-contact
# list with 10 sub-accounts, and paging through 1,000,000 contacts. See bench/README.md.
#
# Usage: bench/contacts.sh [ROWS]   (default 1000000)
set -euo pipefail

ROWS="${1:-1000000}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/server.sh
source "$SCRIPT_DIR/server.sh"
start_mailtree 512m

BENCH_OPERATOR_TOKEN="$TOKEN" BENCH_WORK="$WORK" BENCH_PSQL="psql -h $PGHOST -p $PGPORT -U $PGUSER -d $DB" \
    run_bench_program 256m ContactsBench "$BASE" "$ROWS"
