#!/usr/bin/env bash
# check_host() evaluations per second, release build, against pyspf on the same workload.
#
# Usage: Benchmarks/run-spf-benchmark.sh [PAIRS] [SWIFT_ITERATIONS_PER_ROUND] [PYSPF_ITERATIONS_PER_ROUND]
#
# The speed of these shared machines swings by up to 2x from one minute to the next, for both
# programs alike (docs/benchmarks.md, "Noise"). So the two run in alternation, PAIRS times: one
# notice-audit process (3 rounds), then one pyspf process (3 rounds), each reporting its best
# round; the ratio is taken within each pair, then its median over the pairs. The best round of
# each program over the whole run gives a second figure (best against best).
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
binary="$(swift build -c release --show-bin-path)/spf-benchmark"
pairs=${1:-7}
ratios=()
best_swift=0
best_pyspf=0
for pair in $(seq 1 "$pairs"); do
    swift_line=$("$binary" "${2:-20000}" 3)
    pyspf_line=$("$venv/bin/python" Benchmarks/spf_pyspf.py "${3:-1000}" 3)
    swift_best=$(sed -E 's/.*best ([0-9]+).*/\1/' <<<"$swift_line")
    pyspf_best=$(sed -E 's/.*best ([0-9]+).*/\1/' <<<"$pyspf_line")
    ratio=$(awk -v s="$swift_best" -v p="$pyspf_best" 'BEGIN { printf "%.1f", s / p }')
    ratios+=("$ratio")
    [ "$swift_best" -gt "$best_swift" ] && best_swift=$swift_best
    [ "$pyspf_best" -gt "$best_pyspf" ] && best_pyspf=$pyspf_best
    echo "pair $pair: notice-audit $swift_best/s, pyspf $pyspf_best/s, ratio ${ratio}x"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END { printf "ratios: min %sx, median %sx, max %sx over %d pairs\n", r[1], r[int((NR + 1) / 2)], r[NR], NR }'
awk -v s="$best_swift" -v p="$best_pyspf" 'BEGIN { printf "best against best: notice-audit %d/s, pyspf %d/s, ratio %.1fx\n", s, p, s / p }'
