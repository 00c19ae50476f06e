#!/usr/bin/env bash
# The nightly scan for cron: one run at a time (flock), relay passwords from a root-owned env file,
# history and reports in /var/lib/notice-audit. See deploy/crontab.
set -euo pipefail
state=${NOTICE_AUDIT_STATE:-/var/lib/notice-audit}
config=${NOTICE_AUDIT_CONFIG:-/etc/notice-audit}
if [ -r "$config/env" ]; then
    set -a
    # UFL_RELAY_PASSWORD=... lines, one per relay institution (mode 0600).
    . "$config/env"
    set +a
fi
cd "$state"
# -n: if last night's scan (or a manual one) is still running, do not start a second one.
# The same lock as `notice-audit schedule run`: one job at a time per database.
exec flock -n "$state/history.sqlite.lock" /usr/local/bin/notice-audit scan --trigger scheduled \
    --inventory "$config/inventory.json" --db "$state/history.sqlite" --reports "$state/Reports" \
    --keep-days 400 "$@"
