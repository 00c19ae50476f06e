#!/usr/bin/env bash
# Runs every test of notice-audit: installs what it needs, builds (warnings are errors), starts the
# loopback lab, runs the Swift tests and the lab's self-tests, and stops the lab whatever happens.
# The last lines say how many tests were skipped and why (the providers' texts stay outside the
# repository: without ../shared/realworld/policy-texts the tests that read them are skipped).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

Tests/Lab/install-deps.sh

# Nothing of the machine's reaches the tests (installing above keeps it): no proxy variable in
# either case, no NOTICE_AUDIT_* setting but NOTICE_AUDIT_POLICY_TEXTS, which says where the
# providers' texts are. The proxy tests set their own.
while IFS= read -r name; do
    case "$name" in
        NOTICE_AUDIT_POLICY_TEXTS) ;;
        NOTICE_AUDIT_*) unset "$name" ;;
    esac
    case "${name,,}" in
        http_proxy|https_proxy|all_proxy|no_proxy|ftp_proxy) unset "$name" ;;
    esac
done < <(compgen -e)

swift build --build-tests
Tests/Lab/lab.sh start
trap 'Tests/Lab/lab.sh stop' EXIT

status=0
export LAB_ENV="$root/Tests/Lab/run/lab.env"
export NOTICE_AUDIT_BIN="$(swift build --show-bin-path)/notice-audit"
logs=$(mktemp -d /tmp/notice-audit-tests-XXXXXX)
swift test --skip-build 2>&1 | tee "$logs/swift.log" || status=1
Tests/Lab/.venv/bin/python -m pytest -q -rs -p no:cacheprovider Tests/Lab 2>&1 | tee "$logs/pytest.log" || status=1

# Swift Testing names each skipped test or suite with its reason; pytest -rs lists them as
# "SKIPPED [N] file:line: reason".
plain() { sed -E 's/\x1b\[[0-9;]*m//g' "$1"; }
swift_skipped=$(plain "$logs/swift.log" | grep -E "(Test|Suite) .* skipped" | sed -E 's/^[^A-Za-z]*(Test|Suite) /  /' || true)
pytest_skipped=$(plain "$logs/pytest.log" | grep -E "^SKIPPED" | sed -E 's/^SKIPPED /  /' || true)
count() { if [ -n "$1" ]; then printf '%s\n' "$1" | wc -l; else echo 0; fi; }
echo
echo "skipped: $(count "$swift_skipped") Swift tests or suites, $(count "$pytest_skipped") lab tests"
[ -z "$swift_skipped" ] || printf '%s\n' "$swift_skipped"
[ -z "$pytest_skipped" ] || printf '%s\n' "$pytest_skipped"
rm -rf "$logs"
exit $status
