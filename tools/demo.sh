#!/bin/sh
# make demo: the main job of this version. Until the centre daemon exists,
# that is decoding a real 1090 MHz recording: the St Petersburg Beast log from
# the shared reference data, when it is there.
# usage: tools/demo.sh [SHARED_DATA_DIR]
set -u
shared=${1:-../shared/data}
cd "$(dirname "$0")/.."
rec="$shared/modes/beastblackbox_ulss7_1522782148.beast"
if [ ! -f "$rec" ]; then
    cat <<EOT
cairn demo: the reference recording is not here ($rec).
Point cairn at a recording or a receiver yourself, for example:
  build/cairn decode --format beast --aircraft --stats capture.beast
  build/cairn decode --format iq --rate 2.4e6 --iq-format uc8 samples.bin
  nc RECEIVER 30005 | build/cairn decode --format beast -    (a dump1090/readsb Beast port)
  build/cairn decode --format rtlsdr --device 0 --gain 49.6   (a live RTL-SDR dongle)
EOT
    exit 0
fi
out=build/demo-stpetersburg.jsonl
echo "cairn demo: decoding 61 s of real 1090 MHz traffic near St Petersburg (Beast log)"
echo "  $rec"
build/cairn decode --format beast --receiver 59.9,30.3 --stats --aircraft "$rec" >"$out" || exit 1
echo
echo "Every message is in $out (JSON Lines; totals and the aircraft table above"
echo "went to stderr). The first position reports (the log holds every burst twice;"
echo "duplicates are shown once here):"
grep '"lat"' "$out" | awk '!seen[$0]++' | head -n 3
echo
echo "All $(grep -c '"lat"' "$out") positions agree within 10 m with an independent decoder's output"
echo "for the same recording (checked by 'make check', test_modes_stpetersburg)."
