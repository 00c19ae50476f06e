#!/usr/bin/env bash
# Scans the demo consortium over two nights into DIR (history.sqlite, Reports/), with the lab
# running: night 1 every verdict path (inventory.json), night 2 a fix, a regression and a DNS
# outage (inventory-run2.json). The binary is $NOTICE_AUDIT_BIN (default: the debug build).
# Used by make demo and by the dashboard's browser test.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
dir=${1:?usage: scan-nights.sh DIR}
bin=${NOTICE_AUDIT_BIN:-$root/.build/debug/notice-audit}
env_file=${LAB_ENV:-$root/Tests/Lab/run/lab.env}
lab() { grep "^$1=" "$env_file" | cut -d= -f2-; }
export DEMO_RELAY_PASSWORD="$(lab LAB_SMTP_PASSWORD)" DEMO_WRONG_PASSWORD="not-the-password"
mkdir -p "$dir"
night() {
    local status=0
    "$bin" scan --inventory "$root/Tests/Lab/demo/$1" \
        --db "$dir/history.sqlite" --reports "$dir/Reports" --metrics-file "$dir/notice_audit.prom" \
        --catalog-url "https://$(lab LAB_HTTPS_HOSTNAME):$(lab LAB_HTTPS_PORT)/exlibris/v1.html" \
        --dns-server "$(lab LAB_FAULT_DNS)" --ca-file "$(lab LAB_CA_FILE)" --timeout 2 || status=$?
    # 0 and 1 are verdicts (1: some institutions are not compliant, as the demo intends).
    [ "$status" -le 1 ] || { echo "demo: the scan could not run (exit $status)" >&2; exit "$status"; }
}
echo "== the consortium's DMARC report mailbox (the lab's IMAP server)"
"$root/Tests/Lab/.venv/bin/python" "$root/Tests/Lab/demo/make_reports.py" "$(lab LAB_IMAP_MAILDIR)"
printf '%s:%s\n' "$(lab LAB_IMAP_USER)" "$(lab LAB_IMAP_PASSWORD)" > "$dir/imap-credentials"
chmod 600 "$dir/imap-credentials"
ingest_status=0
"$bin" dmarc-reports ingest --imap "$(lab LAB_IMAP_URL)" --imap-credentials-file "$dir/imap-credentials" --db "$dir/history.sqlite" \
    --dns-server "$(lab LAB_DNS)" --ca-file "$(lab LAB_CA_FILE)" || ingest_status=$?
# 1: some message of the mailbox was not a report (left by a test); the reports were kept.
[ "$ingest_status" -le 1 ] || { echo "demo: the reports could not be ingested (exit $ingest_status)" >&2; exit "$ingest_status"; }
echo
echo "== night 1: every verdict path"
night inventory.json
echo
echo "== night 2: a fix, a regression, a DNS outage"
night inventory-run2.json
