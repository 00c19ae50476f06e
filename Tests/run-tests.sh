#!/usr/bin/env bash
# Runs every test of notice-audit: installs what it needs, builds (warnings are errors), starts the
# loopback lab, runs the Swift tests and the lab's self-tests, and stops the lab whatever happens.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

Tests/Lab/install-deps.sh
swift build --build-tests
Tests/Lab/lab.sh start
trap 'Tests/Lab/lab.sh stop' EXIT

status=0
export LAB_ENV="$root/Tests/Lab/run/lab.env"
export NOTICE_AUDIT_BIN="$(swift build --show-bin-path)/notice-audit"
swift test --skip-build || status=1
Tests/Lab/.venv/bin/python -m pytest -q -p no:cacheprovider Tests/Lab || status=1
exit $status
