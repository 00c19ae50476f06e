#!/usr/bin/env bash
# The dashboard of the 1,000-institution benchmark consortium (issue 15): two scans (release build,
# DKIM selector on every institution, so the second run has history, a trend and changes), then
# index.html's size and render time (dashboard-benchmark) and the filter in headless Chromium
# (dashboard_filter.py). Needs the lab (make lab-start). Usage: Benchmarks/run-dashboard-benchmark.sh [COUNT]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
count=${1:-1000}
lab() { grep "^$1=" Tests/Lab/run/lab.env | cut -d= -f2-; }
swift build -c release --product notice-audit >/dev/null
swift build -c release --product dashboard-benchmark >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -c "import json; d=json.load(open('Tests/Lab/demo/bench-inventory.json')); d['institutions']=d['institutions'][:$count]; d['defaults']['dkim_selectors']=['bench1']; json.dump(d, open('$work/inventory.json','w'))"
for night in 1 2; do
    .build/release/notice-audit scan --inventory "$work/inventory.json" --db "$work/history.sqlite" --reports "$work/Reports" \
        --catalog-url "https://$(lab LAB_HTTPS_HOSTNAME):$(lab LAB_HTTPS_PORT)/exlibris/v1.html" --ca-file "$(lab LAB_CA_FILE)" \
        --dns-server "$(lab LAB_DNS)" --concurrency 100 > "$work/scan$night.out" 2>&1 || true
    head -1 "$work/scan$night.out"
done
.build/release/dashboard-benchmark "$work/history.sqlite" "$work/rendered" 9
Tests/Lab/.venv/bin/python Benchmarks/dashboard_filter.py "$work/Reports/latest/index.html" 5
