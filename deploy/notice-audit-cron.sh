#!/usr/bin/env bash
# The nightly scan for cron: one run at a time (flock), relay passwords from a root-owned env file,
# history and reports in /var/lib/notice-audit. See deploy/crontab.
# Exit status: the scan's (0 all compliant, 1 some not, 2 invalid inventory, 3 could not run), and
# 3 with "skipped: a scan is already running" when last night's (or a manual) scan still holds the lock.
set -euo pipefail
state=${NOTICE_AUDIT_STATE:-/var/lib/notice-audit}
config=${NOTICE_AUDIT_CONFIG:-/etc/notice-audit}
binary=${NOTICE_AUDIT_BIN:-/usr/local/bin/notice-audit}
if [ -r "$config/env" ]; then
    set -a
    # UFL_RELAY_PASSWORD=... lines, one per relay institution (mode 0600).
    . "$config/env"
    set +a
fi
cd "$state"
lock="$state/history.sqlite.lock"
# -n: if a scan is still running, do not start a second one. The same lock as `notice-audit
# schedule run`: one job at a time per database, held on descriptor 9 for the ingest and the scan.
exec 9> "$lock"
if ! flock -n 9; then
    echo "notice-audit: skipped: a scan is already running (the lock $lock is held); nothing was checked tonight." >&2
    exit 3
fi
# The consortium's DMARC report mailbox first, when configured (NOTICE_AUDIT_IMAP_URL in the env
# file, user:password in $config/imap-credentials, mode 0600): what receivers saw is read beside
# tonight's verdicts. A mailbox that cannot be read is said, and the scan runs anyway.
if [ -n "${NOTICE_AUDIT_IMAP_URL:-}" ] && [ -r "$config/imap-credentials" ]; then
    ingest=0
    "$binary" dmarc-reports ingest --imap "$NOTICE_AUDIT_IMAP_URL" --imap-credentials-file "$config/imap-credentials" \
        --db "$state/history.sqlite" 9>&- || ingest=$?
    if [ "$ingest" -gt 1 ]; then
        echo "notice-audit: the DMARC report mailbox could not be read (exit $ingest); the scan runs without new reports." >&2
    fi
fi
status=0
"$binary" scan --trigger scheduled \
    --inventory "$config/inventory.json" --db "$state/history.sqlite" --reports "$state/Reports" \
    --keep-days 400 "$@" 9>&- || status=$?
exit "$status"
