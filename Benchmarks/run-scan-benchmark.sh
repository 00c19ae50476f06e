#!/usr/bin/env bash
# The scan of a generated 1,000-institution consortium against the lab with 20 ms DNS latency:
# wall time and peak memory of notice-audit (release), then the same domains' SPF and DMARC
# through checkdmarc. Needs the lab (make lab-start). Usage: Benchmarks/run-scan-benchmark.sh [COUNT]
# With DKIM_SELECTOR=bench1, every institution also has that DKIM selector configured; with
# SCAN_ONLY=1 the checkdmarc comparison (about three minutes) is left out.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
count=${1:-1000}
lab() { grep "^$1=" Tests/Lab/run/lab.env | cut -d= -f2-; }
venv="$root/Benchmarks/.venv"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install -q --disable-pip-version-check -r Benchmarks/requirements.txt
[ -x /usr/bin/time ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null

# A latency proxy on port 53 (checkdmarc takes no port), 20 ms on every answer.
Tests/Lab/.venv/bin/python Tests/Lab/fault_dns.py --listen 127.0.10.4:53 --upstream "$(lab LAB_DNS)" --delay-ms 20 &
proxy=$!
trap 'kill $proxy 2>/dev/null' EXIT
sleep 0.5

swift build -c release --product notice-audit >/dev/null
work=$(mktemp -d)
python3 -c "import json,sys; d=json.load(open('Tests/Lab/demo/bench-inventory.json')); d['institutions']=d['institutions'][:$count]; s='${DKIM_SELECTOR:-}'; d['defaults'].update({'dkim_selectors': [s]} if s else {}); json.dump(d, open('$work/inventory.json','w'))"
/usr/bin/time -v .build/release/notice-audit scan --inventory "$work/inventory.json" --db "$work/history.sqlite" --reports "$work/Reports" \
    --catalog-url "https://$(lab LAB_HTTPS_HOSTNAME):$(lab LAB_HTTPS_PORT)/exlibris/v1.html" --ca-file "$(lab LAB_CA_FILE)" \
    --dns-server 127.0.10.4:53 --concurrency 100 > "$work/scan.out" 2> "$work/time.err" || true
head -1 "$work/scan.out"
grep -E "Elapsed \(wall clock\)|Maximum resident set size|User time|System time" "$work/time.err"
[ -n "${SCAN_ONLY:-}" ] || "$venv/bin/python" Benchmarks/spf_checkdmarc.py 127.0.10.4 "$work/inventory.json" "$count"
rm -rf "$work"
