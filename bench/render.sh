#!/usr/bin/env bash
# Rendering benchmark (JMH): one ~50 KB personalised HTML e-mail rendered for 100,000 contacts in
# turn, in one thread, with io.mailtree.content.TemplateLanguage. Prints JMH's summary and what a
# 1,000 messages/s send costs in rendering. See bench/README.md.
#
# Usage: bench/render.sh [JMH options...]   (default: the settings in RenderBenchmark; for example
#        bench/render.sh -p templateBytes=102400   or   bench/render.sh -wi 5 -i 10)
# Environment: JAVA (default java), SEND_RATE (messages/s to compare with, default 1000).
set -euo pipefail

SEND_RATE="${SEND_RATE:-1000}"
RESULTS="$(mktemp "${TMPDIR:-/tmp}/mailtree-render.XXXXXX.csv")"
trap 'rm -f "$RESULTS"' EXIT
JMH_RESULTS="$RESULTS" "$(dirname "${BASH_SOURCE[0]}")/jmh.sh" RenderBenchmark "$@"

# What a send at SEND_RATE messages/s costs (from the throughput row of renderOneEmail).
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
