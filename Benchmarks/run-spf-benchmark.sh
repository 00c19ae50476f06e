#!/usr/bin/env bash
# check_host() evaluations per second, release build, against pyspf on the same workload.
# Usage: Benchmarks/run-spf-benchmark.sh [SWIFT_ITERATIONS_PER_ROUND] [PYSPF_ITERATIONS_PER_ROUND] [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
Tests/Lab/install-deps.sh
venv="$root/Benchmarks/.venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r Benchmarks/requirements.txt
fi
swift build -c release --product spf-benchmark
"$(swift build -c release --show-bin-path)/spf-benchmark" "${1:-20000}" "${3:-10}"
"$venv/bin/python" Benchmarks/spf_pyspf.py "${2:-1000}" "${3:-10}"
