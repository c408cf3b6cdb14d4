#!/bin/sh
# skipped.sh — after ctest, list the test programs that were skipped and
# the SKIP: lines in which they said why (from ctest's LastTest.log).
# usage: tools/skipped.sh BUILD_DIR
log="${1:-build/dev}/Testing/Temporary/LastTest.log"
[ -f "$log" ] || exit 0
awk '
/^[0-9]+\/[0-9]+ Testing: / { name = $3; n = 0; delete seen }
/^SKIP: / { if (!($0 in seen)) { seen[$0] = 1; why[++n] = substr($0, 7) } }
/reported to ctest as skipped \(exit 77\)/ {
    if (!shown++) print "Skipped test programs (not counted as passed), and why:"
    print "  " name
    for (i = 1; i <= n; i++) print "      " why[i]
}
' "$log"
