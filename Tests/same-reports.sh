#!/usr/bin/env bash
# Issue 34's check that a change keeps every report byte for byte: the demo's two nights scanned by
# BASE and by NEW (the lab running), each run folder with its times and durations masked, compared;
# then what each scan printed (the digest: standard output, its times and folders masked); then
# BASE's history rendered again by both (`notice-audit report --run N`), compared unmasked.
# Usage: Tests/same-reports.sh BASE_BINARY NEW_BINARY. Exit 0 when nothing differs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=$(realpath "${1:?usage: same-reports.sh BASE_BINARY NEW_BINARY}")
new=$(realpath "${2:?usage: same-reports.sh BASE_BINARY NEW_BINARY}")
work=$(mktemp -d "${TMPDIR:-/tmp}/same-reports-XXXXXX")
trap 'rm -rf "$work"' EXIT
mask() {
    python3 - "$1" <<'PY'
import pathlib, re, sys
time = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
duration = re.compile(rb'("duration_milliseconds" : )\d+')
for path in pathlib.Path(sys.argv[1]).rglob("*"):
    if path.is_file():
        path.write_bytes(duration.sub(rb"\1<ms>", time.sub(b"<time>", path.read_bytes())))
PY
}
status=0
for side in base new; do
    binary=$base; [ "$side" = new ] && binary=$new
    NOTICE_AUDIT_BIN=$binary "$root/Tests/Lab/demo/scan-nights.sh" "$work/$side" > "$work/$side.log" 2> "$work/$side.err" || { cat "$work/$side.log" "$work/$side.err"; exit 3; }
    sed -E -e "s|$work/$side|DIR|g" -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/<time>/g' -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC/<time>/g' \
        "$work/$side.log" > "$work/$side.printed"
    for night in 1 2; do
        mkdir -p "$work/compare-$side"
        cp -r "$work/$side"/Reports/*-run$night "$work/compare-$side/night$night"
    done
    mask "$work/compare-$side"
done
diff -r "$work/compare-base" "$work/compare-new" && echo "same-reports: the demo's two nights are the same (times masked)" || status=1
diff "$work/base.printed" "$work/new.printed" && echo "same-reports: the scans printed the same (times and folders masked)" || status=1
for side in base new; do
    binary=$base; [ "$side" = new ] && binary=$new
    for run in 1 2; do
        "$binary" report --run "$run" --db "$work/base/history.sqlite" --reports "$work/render-$side" > /dev/null
    done
    mkdir -p "$work/rendered-$side"
    for run in 1 2; do cp -r "$work/render-$side"/*-run$run "$work/rendered-$side/run$run"; done
done
diff -r "$work/rendered-base" "$work/rendered-new" && echo "same-reports: the runs rendered again from history are byte for byte the same" || status=1
exit $status
