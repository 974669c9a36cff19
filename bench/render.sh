#!/usr/bin/env bash
# Rendering benchmark (JMH): one ~50 KB personalised HTML e-mail rendered for 100,000 contacts in
# turn, in one thread, with io.mailtree.content.TemplateLanguage. Prints JMH's summary and what a
# 1,000 messages/s send costs in rendering. See bench/README.md.
#
# Usage: bench/render.sh [JMH options...]   (default: the settings in RenderBenchmark; for example
#        bench/render.sh -p templateBytes=102400   or   bench/render.sh -wi 5 -i 10)
# Environment: JAVA (default java), SEND_RATE (messages/s to compare with, default 1000).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA="${JAVA:-java}"
SEND_RATE="${SEND_RATE:-1000}"
LIST="$ROOT/target/test-classes/META-INF/BenchmarkList"
CP_FILE="$ROOT/target/bench-test-classpath.txt"

log() { printf '[bench] %s\n' "$*" >&2; }

cd "$ROOT"

# 1. Compiled tests with JMH's generated code, rebuilt when pom.xml or a source is newer.
if [[ ! -f "$LIST" ]] || [[ -n "$(find pom.xml src -newer "$LIST" -type f -print -quit)" ]]; then
    log "compiling (mvn -B -q test-compile)"
    mvn -B -q test-compile
fi
grep -q 'RenderBenchmark' "$LIST" || { log "RenderBenchmark missing from $LIST"; exit 1; }

# 2. The test classpath (JMH, Handlebars, ...), rebuilt when pom.xml changes.
if [[ ! -s "$CP_FILE" ]] || [[ pom.xml -nt "$CP_FILE" ]]; then
    log "resolving the test classpath (mvn dependency:build-classpath)"
    mvn -B -q dependency:build-classpath -Dmdep.outputFile="$CP_FILE"
fi

# 3. The run.
RESULTS="$(mktemp "${TMPDIR:-/tmp}/mailtree-render.XXXXXX.csv")"
trap 'rm -f "$RESULTS"' EXIT
log "$(nproc 2>/dev/null || echo '?') CPU(s); load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
"$JAVA" -cp "target/test-classes:target/classes:$(cat "$CP_FILE")" org.openjdk.jmh.Main \
    -rf csv -rff "$RESULTS" "$@" RenderBenchmark
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"

# 4. What a send at SEND_RATE messages/s costs (from the throughput row of renderOneEmail).
# CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit",params...
awk -F, -v rate="$SEND_RATE" '
    { gsub(/"/, "") }
    $1 ~ /\.renderOneEmail$/ && $2 == "thrpt" && $5 > 0 {
        printf "\none core renders %.0f e-mails/s (± %.0f); a %d msg/s send needs %.1f%% of one core for rendering\n",
            $5, $6, rate, 100 * rate / $5
        found = 1
    }
    END { if (!found) print "\n(no throughput result for renderOneEmail: was it excluded?)" }
' "$RESULTS"
