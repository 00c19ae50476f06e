#!/usr/bin/env bash
# The scan of a generated consortium of COUNT institutions (issue 22: 1,000, 10,000, 100,000), each
# with its own domain and DKIM selector, against an nsd of its own serving the lab's zones and a
# generated bench.test of COUNT domains, behind the 20 ms latency proxy; --concurrency 64. Prints
# each run's wall time, CPU and peak memory (GNU time) and the run's phases (from history: the
# checks, then the reports). Needs the lab (make lab-start: the catalog page, its CA, its Python).
# Usage: Benchmarks/run-scale-benchmark.sh BINARY COUNT [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
binary=$(realpath "${1:?usage: run-scale-benchmark.sh BINARY COUNT [RUNS]}")
count=${2:?usage: run-scale-benchmark.sh BINARY COUNT [RUNS]}
runs=${3:-3}
lab() { grep "^$1=" Tests/Lab/run/lab.env | cut -d= -f2-; }
python=Tests/Lab/.venv/bin/python
work=$(mktemp -d "${TMPDIR:-/tmp}/notice-audit-scale-XXXXXX")
mkdir -p "$work/zones" "$work/nsd"
cp Tests/Lab/zones/*.zone "$work/zones/"
"$python" Tests/Lab/make_bench_zone.py "$work/zones/bench.test.zone" "$work/inventory.json" "$count"
python3 - "$work/inventory.json" <<'PY'
import json, sys
path = sys.argv[1]
document = json.load(open(path))
document["defaults"]["dkim_selectors"] = ["bench1"]
json.dump(document, open(path, "w"))
PY
{
    cat <<CONF
server:
    ip-address: 127.0.10.7@53
    port: 53
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$work/zones"
    database: ""
    zonelistfile: "$work/nsd/zone.list"
    xfrdfile: "$work/nsd/xfrd.state"
    xfrdir: "$work/nsd"
    pidfile: "$work/nsd.pid"
    logfile: "$work/nsd/nsd.log"
    server-count: 1
    rrl-ratelimit: 0
    verbosity: 1
remote-control:
    control-enable: no
CONF
    for zone in "$work"/zones/*.zone; do
        printf 'zone:\n    name: "%s"\n    zonefile: "%s"\n' "$(basename "$zone" .zone)" "$zone"
    done
} > "$work/nsd/nsd.conf"
nsd -c "$work/nsd/nsd.conf"
"$python" Tests/Lab/fault_dns.py --listen 127.0.10.8:53 --upstream 127.0.10.7:53 --delay-ms 20 &
proxy=$!
trap 'kill $proxy 2>/dev/null; kill "$(cat "$work/nsd.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$work"' EXIT
sleep 1
for run in $(seq 1 "$runs"); do
    rm -rf "$work/run"; mkdir -p "$work/run"
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$binary" scan --inventory "$work/inventory.json" --db "$work/run/history.sqlite" \
        --reports "$work/run/Reports" --catalog-url "https://$(lab LAB_HTTPS_HOSTNAME):$(lab LAB_HTTPS_PORT)/exlibris/v1.html" \
        --ca-file "$(lab LAB_CA_FILE)" --dns-server 127.0.10.8:53 --concurrency 64 > "$work/run/out" 2> "$work/run/err" || true
    read -r wall user sys rss < <(tail -1 "$work/time")
    phases=$(sqlite3 "$work/run/history.sqlite" "SELECT printf('checks %.2f s', (julianday(MAX(i.finished_at)) - julianday(r.started_at)) * 86400) FROM scan_run r JOIN institution_result i ON i.run_id = r.id")
    reports=$(python3 -c "import os,sys,datetime; d='$work/run/history.sqlite'; import sqlite3; c=sqlite3.connect(d); t=c.execute('select max(finished_at) from institution_result').fetchone()[0]; end=os.path.getmtime('$work/run/Reports/latest/index.html'); print('reports %.2f s' % (end - datetime.datetime.fromisoformat(t).replace(tzinfo=datetime.timezone.utc).timestamp()))")
    echo "$count institutions, run $run: ${wall} s wall, ${user} s user, ${sys} s sys, $(awk "BEGIN { printf \"%.1f\", $rss / 1024 }") MiB peak; $phases, $reports; scan.json $(stat -c %s "$work/run/Reports/latest/scan.json") bytes; $(head -1 "$work/run/out")"
done
