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
# The console in Chromium (bench/ui; skips, exit 77, without chromium,
# ui/node_modules or ui/dist)
if command -v node >/dev/null 2>&1 && [ -f bench/ui/bench_console.mjs ]; then
    echo "== bench_console (ui)"
    node bench/ui/bench_console.mjs
    rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 77 ] || status=1
fi
# The console's stream worker alone, in node (no browser): its share of
# the 50k latency, with the default and the lean event form
if command -v node >/dev/null 2>&1 && [ -f bench/ui/bench_worker.mjs ]; then
    echo "== bench_worker (ui)"
    node bench/ui/bench_worker.mjs || status=1
fi
exit $status
