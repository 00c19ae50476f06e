#!/usr/bin/env bash
# `make scan`, for people: runs the scan and ends with its digest and the paths of summary.md and
# index.html. A scan that ran and found institutions not compliant (the binary's exit 1) is a
# result, not a failure of make: this exits 0 then, saying so. It fails only when the scan could
# not run (2: usage or invalid inventory, 3: could not run or interrupted), with the binary's status.
# The binary's own exit statuses stay as they are for cron, systemd and scripts.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${NOTICE_AUDIT_BIN:-$root/.build/release/notice-audit}
"$bin" scan "$@"
status=$?
case $status in
    0) echo "make scan: every institution is compliant." ;;
    1) echo "make scan: the scan ran; some institutions are not compliant or unknown (listed above, with their letters in institutions/)."
       echo "make scan: (the binary itself exits 1 in that case, for cron and scripts; make does not treat it as an error)" ;;
    *) echo "make scan: the scan could not run (exit $status); see the message above." >&2
       exit "$status" ;;
esac
