#!/bin/sh
# Run every benchmark of the release build and print its figures.
# usage: tools/bench.sh [SHARED_DATA_DIR]
set -u
shared=${1:-../shared/data}
cd "$(dirname "$0")/.."
export CAIRN_SHARED_DATA="$(cd "$shared" 2>/dev/null && pwd || echo "$shared")"
status=0
for b in build/bench/bench_*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")"
    "$b" || status=1
done
exit $status
