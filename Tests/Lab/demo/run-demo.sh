#!/usr/bin/env bash
# make demo: starts the lab and scans its demo consortium over two nights: night 1 every verdict
# path (inventory.json), night 2 a fix, a regression and a DNS outage (inventory-run2.json). Then
# says where the report is. The lab keeps running; stop it with `make lab-stop`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
Tests/Lab/install-deps.sh
swift build --product notice-audit
Tests/Lab/lab.sh start
lab() { grep "^$1=" Tests/Lab/run/lab.env | cut -d= -f2-; }
export DEMO_RELAY_PASSWORD="$(lab LAB_SMTP_PASSWORD)" DEMO_WRONG_PASSWORD="not-the-password"
rm -rf Tests/Lab/run/demo
mkdir -p Tests/Lab/run/demo
night() {
    local status=0
    .build/debug/notice-audit scan --inventory "Tests/Lab/demo/$1" \
        --db Tests/Lab/run/demo/history.sqlite --reports Tests/Lab/run/demo/Reports \
        --catalog-url "https://$(lab LAB_HTTPS_HOSTNAME):$(lab LAB_HTTPS_PORT)/exlibris/v1.html" \
        --dns-server "$(lab LAB_FAULT_DNS)" --ca-file "$(lab LAB_CA_FILE)" --timeout 2 || status=$?
    # 0 and 1 are verdicts (1: some institutions are not compliant, as the demo intends).
    [ "$status" -le 1 ] || { echo "demo: the scan could not run (exit $status)" >&2; exit "$status"; }
}
echo "== night 1: every verdict path"
night inventory.json
echo
echo "== night 2: a fix, a regression, a DNS outage"
night inventory-run2.json
echo
echo "The demo reports are in $root/Tests/Lab/run/demo/Reports/ (latest/ is night 2: summary.md, summary.csv, findings.csv, scan.json)."
