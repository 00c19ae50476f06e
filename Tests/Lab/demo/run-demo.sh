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
rm -rf Tests/Lab/run/demo
Tests/Lab/demo/scan-nights.sh Tests/Lab/run/demo
echo
echo "The demo reports are in $root/Tests/Lab/run/demo/Reports/: open Reports/index.html or Reports/latest/index.html"
echo "(latest/ is night 2: index.html, summary.md, trend.svg, summary.csv, findings.csv, scan.json, institutions/ID.md);"
echo "the Prometheus metrics of night 2 are in Tests/Lab/run/demo/notice_audit.prom."
