#!/usr/bin/env bash
# make demo: starts the lab and scans its demo consortium (18 institutions, every verdict path),
# then says where the report is. The lab keeps running; stop it with `make lab-stop`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
Tests/Lab/install-deps.sh
swift build --product notice-audit
Tests/Lab/lab.sh start
lab() { grep "^$1=" Tests/Lab/run/lab.env | cut -d= -f2-; }
export DEMO_RELAY_PASSWORD="$(lab LAB_SMTP_PASSWORD)" DEMO_WRONG_PASSWORD="not-the-password"
mkdir -p Tests/Lab/run/demo
status=0
.build/debug/notice-audit scan --inventory Tests/Lab/demo/inventory.json \
    --db Tests/Lab/run/demo/history.sqlite --reports Tests/Lab/run/demo/Reports \
    --catalog-url "https://$(lab LAB_HTTPS_HOSTNAME):$(lab LAB_HTTPS_PORT)/exlibris/v1.html" \
    --dns-server "$(lab LAB_FAULT_DNS)" --ca-file "$(lab LAB_CA_FILE)" --timeout 2 || status=$?
echo
echo "The demo report is in $root/Tests/Lab/run/demo/Reports/latest/ (summary.md, summary.csv, findings.csv, scan.json)."
echo "Scan exit status: $status (1 means some institutions are not compliant, as the demo intends)."
