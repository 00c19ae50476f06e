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
# -n: if a scan is still running, do not start a second one; -E 75 tells that case apart from the
# scan's own statuses (0-3). The same lock as `notice-audit schedule run`: one job at a time per database.
status=0
flock -n -E 75 "$lock" "$binary" scan --trigger scheduled \
    --inventory "$config/inventory.json" --db "$state/history.sqlite" --reports "$state/Reports" \
    --keep-days 400 "$@" || status=$?
if [ "$status" -eq 75 ]; then
    echo "notice-audit: skipped: a scan is already running (the lock $lock is held); nothing was checked tonight." >&2
    exit 3
fi
exit "$status"
