#!/usr/bin/env bash
# Two notice-audit binaries, A and B, scanning the same generated 1,000-institution consortium
# against the lab with 20 ms DNS latency, alternated PAIRS times (the lab's Python proxy shares the
# two cores, so only alternation and medians mean anything). Prints each run's wall time, then the
# medians and the median of the pair ratios B/A. Needs the lab (make lab-start).
# Usage: [BENCH_SELECTOR=bench1] Benchmarks/run-scan-ab.sh A_BINARY B_BINARY [PAIRS] [COUNT]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
a=${1:?usage: run-scan-ab.sh A_BINARY B_BINARY [PAIRS] [COUNT]}
b=${2:?usage: run-scan-ab.sh A_BINARY B_BINARY [PAIRS] [COUNT]}
pairs=${3:-8}
count=${4:-1000}
lab() { grep "^$1=" Tests/Lab/run/lab.env | cut -d= -f2-; }
Tests/Lab/.venv/bin/python Tests/Lab/fault_dns.py --listen 127.0.10.4:53 --upstream "$(lab LAB_DNS)" --delay-ms 20 &
proxy=$!
work=$(mktemp -d)
trap 'kill $proxy 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.5
# BENCH_SELECTOR=bench1 names the DKIM selector of every benchmark domain (the benchmark of issue 22: "one selector each").
python3 -c "import json; d=json.load(open('Tests/Lab/demo/bench-inventory.json')); d['institutions']=d['institutions'][:$count]; s='${BENCH_SELECTOR:-}'; d['defaults'].update({'dkim_selectors': [s]} if s else {}); json.dump(d, open('$work/inventory.json','w'))"
scan() {
    rm -rf "$work/run"; mkdir -p "$work/run"
    local start end
    start=$(date +%s%N)
    "$1" scan --inventory "$work/inventory.json" --db "$work/run/history.sqlite" --reports "$work/run/Reports" \
        --catalog-url "https://$(lab LAB_HTTPS_HOSTNAME):$(lab LAB_HTTPS_PORT)/exlibris/v1.html" --ca-file "$(lab LAB_CA_FILE)" \
        --dns-server 127.0.10.4:53 --concurrency 100 > "$work/run/out" 2>&1 || true
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}
scan "$a" > /dev/null  # warm-up: the page, the caches of the file system
: > "$work/times"
for i in $(seq 1 "$pairs"); do
    ta=$(scan "$a"); tb=$(scan "$b")
    echo "pair $i: A $ta ms, B $tb ms"
    echo "$ta $tb" >> "$work/times"
done
python3 - "$work/times" <<'PY'
import statistics, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1])]
a = [r[0] for r in rows]; b = [r[1] for r in rows]
print(f"median A {statistics.median(a):.0f} ms, median B {statistics.median(b):.0f} ms, "
      f"median of pair ratios B/A {statistics.median(r[1] / r[0] for r in rows):.3f} "
      f"(range {min(r[1] / r[0] for r in rows):.2f} – {max(r[1] / r[0] for r in rows):.2f})")
PY
