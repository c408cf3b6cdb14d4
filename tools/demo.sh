#!/bin/sh
# make demo: two coordination centres of one CAI pair on loopback — WARSAW-CC
# (NATO) and KALININGRAD-CC (RU) — with their consoles, fed by the shipped
# Baltic scenarios, and by the real St Petersburg recording when the shared
# reference data is there (cairn demo, docs/demo.md). Ctrl-C stops both.
# usage: tools/demo.sh [SHARED_DATA_DIR] [cairn demo OPTIONS...]
set -u
shared=${1:-../shared/data}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/.."
if [ -f "$shared/modes/beastblackbox_ulss7_1522782148.beast" ]; then
    set -- --data "$shared" "$@"
else
    echo "cairn demo: no reference data in $shared: simulated traffic only" >&2
    set -- --no-data "$@"
fi
if [ -f ui/dist/index.html ]; then
    set -- --ui ui/dist "$@"
else
    echo "cairn demo: the console is not built (ui/dist): the centres serve their API only" >&2
fi
exec build/cairn demo "$@"
