#!/bin/sh
# soak.sh — `make soak`: the hotline tests SOAK_RUNS times in a row (default
# 50) with both cores kept busy by spinning processes, on the dev (ASan)
# build. Every run must pass: a test that fails once in 50 is a bug.
# The spinners are stopped however the script ends.
# usage: tools/soak.sh [RUNS]
set -u
cd "$(dirname "$0")/.." || exit 2
runs=${1:-${SOAK_RUNS:-50}}
hogs=""
stop() {
    for p in $hogs; do kill "$p" 2>/dev/null; done
}
trap stop EXIT INT TERM
n=$(nproc 2>/dev/null || echo 2)
i=0
while [ "$i" -lt "$n" ]; do
    sh -c 'while :; do :; done' &
    hogs="$hogs $!"
    i=$((i + 1))
done
echo "soak: hotline tests x$runs with $n busy spinner(s)"
cd build/dev || exit 2
# --repeat until-fail: every test runs $runs times and stops at its first failure.
ctest -L '^(unit|integ)$' -R '^test_hl_' --repeat "until-fail:$runs" -j 2 --output-on-failure \
    --timeout 900
