#!/usr/bin/env bash
# Runs CI as CI runs it, N times in a row: each time a fresh clone of this repository's HEAD in a
# temporary folder, then `bash .ci/run` there. Prints one line per run and the tally; exit 0 only
# when every run passed. By default the clone has nothing beside it (a user's clone); with --shared
# a read-only copy of ../shared lies beside it (CI's layout).
# Usage: Tests/ci-repeat.sh [N] [--shared] (default 10). Logs: /tmp/ci-repeat-*/run-K.log
set -uo pipefail
runs=10
shared=false
for argument in "$@"; do
    case "$argument" in
        --shared) shared=true ;;
        *) runs=$argument ;;
    esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/ci-repeat-XXXXXX)
commit=$(git -C "$root" rev-parse --short HEAD)
# The clones' folder holds nothing but the clone (and, with --shared, the copy of shared/).
mkdir "$work/tree"
if $shared; then
    cp -r "$root/../shared" "$work/tree/shared"
    chmod -R a-w "$work/tree/shared"
fi
passed=0
for k in $(seq 1 "$runs"); do
    clone="$work/tree/clone-$k"
    # The commit taken at the start, whatever is committed while the loop runs.
    git clone -q "$root" "$clone" && git -C "$clone" checkout -q "$commit"
    started=$(date +%s)
    if (cd "$clone" && CI=true bash .ci/run < /dev/null > "$work/run-$k.log" 2>&1); then
        result=passed
        passed=$((passed + 1))
    else
        result=FAILED
    fi
    swift_line=$(grep -E "Test run with [0-9]+ tests" "$work/run-$k.log" | tail -1 | sed 's/^[^T]*//')
    pytest_line=$(grep -E "^[0-9]+ passed" "$work/run-$k.log" | tail -1)
    skipped_line=$(grep -E "^skipped: " "$work/run-$k.log" | tail -1)
    echo "run $k of $runs ($commit): $result in $(( $(date +%s) - started )) s; ${swift_line:-no swift summary}; ${pytest_line:-no pytest summary}; ${skipped_line:-no skip summary}"
    rm -rf "$clone"
done
if $shared; then chmod -R u+w "$work/tree/shared"; rm -rf "$work/tree/shared"; fi
echo "$passed passed, $((runs - passed)) failed"
[ "$passed" -eq "$runs" ]
