#!/bin/sh
# Run every libFuzzer target of the fuzz build for N seconds each, growing its
# corpus under tests/fuzz/corpus/NAME. Crashes are left as crash-* files in
# the current directory: minimise them and add them to the corpus.
# usage: tools/fuzz.sh [SECONDS]
set -u
secs=${1:-60}
cd "$(dirname "$0")/.."
status=0
for f in build/fuzz/tests/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f" | sed 's/^fuzz_//')
    corpus=tests/fuzz/corpus/$name
    mkdir -p "$corpus"
    echo "== $name ($secs s)"
    "$f" -max_total_time="$secs" -print_final_stats=1 "$corpus" 2>fuzz-$name.log || {
        echo "   FAILED: see fuzz-$name.log"; status=1; }
    tail -n 3 fuzz-$name.log
done
exit $status
