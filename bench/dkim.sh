#!/usr/bin/env bash
# DKIM signing benchmark (JMH): one 10 KB composed message signed rsa-sha256 in one thread, the mail
# library's way (parse, canonicalise, write out: what delivery did before) beside Mailtree's signer
# over the bytes, and the floor of one RSA-2048 signature. Prints microseconds of CPU per message for
# each and the ratios. See bench/README.md.
#
# Usage: bench/dkim.sh [JMH options...]   (for example bench/dkim.sh -p messageBytes=51200)
set -euo pipefail

RESULTS="$(mktemp "${TMPDIR:-/tmp}/mailtree-dkim.XXXXXX.csv")"
trap 'rm -f "$RESULTS"' EXIT
JMH_RESULTS="$RESULTS" "$(dirname "${BASH_SOURCE[0]}")/jmh.sh" DkimBenchmark "$@"

# CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: messageBytes"
awk -F, '
    { gsub(/"/, "") }
    $2 == "avgt" { n = split($1, part, "."); score[part[n]] = $5; error[part[n]] = $6; size = $8 }
    END {
        if (!("library" in score) || !("mailtree" in score) || !("rsaOnly" in score)) {
            print "\n(missing results: were some benchmarks excluded?)"; exit 1
        }
        printf "\nDKIM rsa-sha256 of a %d-byte message, one core, microseconds per message:\n", size
        printf "  mail library (before) %8.1f ± %.1f\n", score["library"], error["library"]
        printf "  Mailtree signer       %8.1f ± %.1f\n", score["mailtree"], error["mailtree"]
        printf "  RSA-2048 alone        %8.1f ± %.1f\n", score["rsaOnly"], error["rsaOnly"]
        printf "Mailtree takes %.2f of the library'"'"'s time (%.1fx faster)\n", score["mailtree"] / score["library"],
            score["library"] / score["mailtree"]
        above = score["mailtree"] - score["rsaOnly"]
        if (above > error["mailtree"] + error["rsaOnly"]) {
            printf "above the RSA floor: Mailtree %.1f us, the library %.1f us\n", above, score["library"] - score["rsaOnly"]
        } else {
            printf "Mailtree is within the measurement error of the RSA floor (the library spends %.1f us above it)\n",
                score["library"] - score["rsaOnly"]
        }
    }
' "$RESULTS"
