#!/usr/bin/env bash
# The 909 KB / 2,286-record DMARC aggregate report of parsedmarc's samples, read by notice-audit
# (ingest into a new history: parse, store, compress the raw XML) and by parsedmarc 11.1.0
# (parse_report_file, offline), side by side, RUNS times each: wall time and peak memory of the
# whole process (GNU time). Needs the lab's Python environment (Tests/Lab/install-deps.sh).
# Usage: Benchmarks/run-report-benchmark.sh [BINARY] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-$root/.build/release/notice-audit}
runs=${2:-3}
report="$root/../shared/realworld/rua-samples/parsedmarc-aggregate/aggregate/!large-example.com!1711897200!1711983600.xml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$runs"); do
    rm -f "$work"/h.sqlite*
    /usr/bin/time -f "notice-audit: %e s wall, %M KB peak" "$binary" dmarc-reports ingest "$report" --db "$work/h.sqlite" > /dev/null
    /usr/bin/time -f "parsedmarc:   %e s wall, %M KB peak" "$root/Tests/Lab/.venv/bin/python" -c \
        "import parsedmarc, sys; parsedmarc.parse_report_file(sys.argv[1], offline=True)" "$report"
done
