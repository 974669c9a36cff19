#!/usr/bin/env bash
# Runs one JMH benchmark of the test sources (src/test/java, names not ending in Tests) and writes
# JMH's CSV results to the file named by JMH_RESULTS (a temporary file when unset). Used by
# render.sh and dkim.sh; see bench/README.md.
#
# Usage: bench/jmh.sh BENCHMARK_CLASS [JMH options...]
# Environment: JAVA (default java), JMH_RESULTS (CSV output path).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA="${JAVA:-java}"
LIST="$ROOT/target/test-classes/META-INF/BenchmarkList"
CP_FILE="$ROOT/target/bench-test-classpath.txt"
BENCHMARK="${1:?usage: bench/jmh.sh BENCHMARK_CLASS [JMH options...]}"
shift

log() { printf '[bench] %s\n' "$*" >&2; }

cd "$ROOT"

# 1. Compiled tests with JMH's generated code, rebuilt when pom.xml or a source is newer.
if [[ ! -f "$LIST" ]] || [[ -n "$(find pom.xml src -newer "$LIST" -type f -print -quit)" ]]; then
    log "compiling (mvn -B -q test-compile)"
    mvn -B -q test-compile
fi
grep -q "$BENCHMARK" "$LIST" || { log "$BENCHMARK missing from $LIST"; exit 1; }

# 2. The test classpath (JMH, the libraries benchmarked), rebuilt when pom.xml changes.
if [[ ! -s "$CP_FILE" ]] || [[ pom.xml -nt "$CP_FILE" ]]; then
    log "resolving the test classpath (mvn dependency:build-classpath)"
    mvn -B -q dependency:build-classpath -Dmdep.outputFile="$CP_FILE"
fi

# 3. The run.
RESULTS="${JMH_RESULTS:-$(mktemp "${TMPDIR:-/tmp}/mailtree-jmh.XXXXXX.csv")}"
log "$(nproc 2>/dev/null || echo '?') CPU(s); load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
"$JAVA" -cp "target/test-classes:target/classes:$(cat "$CP_FILE")" org.openjdk.jmh.Main \
    -rf csv -rff "$RESULTS" "$@" "$BENCHMARK"
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
