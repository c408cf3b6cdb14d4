#!/bin/sh
# Check that the Debian packages cairn needs are installed.
# As root: install the missing ones (apt-get update once, then install).
# Otherwise: print the one apt-get line that would install them, exit 1.
#
# usage: tools/deps.sh build|bench|fuzz|ui
#
# ui: the web console's tools (make demo, make check): node and npm to build
# ui/ (npm ci, npm run build) and Chromium for its end-to-end tests
# (playwright-core drives /usr/bin/chromium; no browser is downloaded).
# They are optional: without root, the missing ones are named with the
# apt-get line and the exit status is 0 — the daemon runs without its
# console, and the console's tests skip saying why.
set -eu
build="cmake make gcc pkg-config libevent-dev libssl-dev libsodium-dev libsqlite3-dev
libjansson-dev libinih-dev libpcap-dev librtlsdr-dev libcmocka-dev libproj-dev libgeos-dev
openssl tshark dump1090-mutability clang-format git"
# libproj-dev: geodesics (PROJ geodesic.h); libgeos-dev: polygons (geos_c.h), in src/geo.
# tshark: the tests check that ASTERIX cairn encodes decodes in Wireshark's dissector.
# clang-format, git: make check checks the layout of every tracked source
# (tools/check_tree.sh).
# dump1090-mutability: a test checks our positions against it on loopback; the
# demodulator benchmark runs it side by side.
bench="gpsd-clients"
# gpsdecode: the AIS benchmark runs it side by side.
fuzz="clang-14 libclang-rt-14-dev"
ui="nodejs npm chromium"

want="$build"
case "${1:-build}" in
build) ;;
bench) want="$build $bench" ;;
fuzz) want="$build $fuzz" ;;
ui) want="$ui" ;;
*) echo "usage: $0 build|bench|fuzz|ui" >&2; exit 2 ;;
esac

# A command already on the PATH counts as its package (node from another
# packaging of Node.js brings its own npm, which Debian's npm would conflict
# with).
have_cmd() {
    case "$1" in
    nodejs) command -v node >/dev/null 2>&1 ;;
    npm | chromium) command -v "$1" >/dev/null 2>&1 ;;
    *) return 1 ;;
    esac
}

missing=""
for p in $want; do
    have_cmd "$p" && continue
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
    echo "cairn: installing Debian packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >&2
elif [ "${1:-build}" = ui ]; then
    echo "cairn: the web console needs Debian packages that are missing; as root:" >&2
    echo "  apt-get install -y$missing" >&2
    echo "cairn: going on without them (no console; its tests skip)" >&2
else
    echo "cairn: missing Debian packages. Run as root:" >&2
    echo "  apt-get install -y$missing" >&2
    exit 1
fi
