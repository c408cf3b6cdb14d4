#!/bin/sh
# Check that the Debian packages cairn needs are installed.
# As root: install the missing ones (apt-get update once, then install).
# Otherwise: print the one apt-get line that would install them, exit 1.
#
# usage: tools/deps.sh build|bench|fuzz
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

want="$build"
case "${1:-build}" in
build) ;;
bench) want="$build $bench" ;;
fuzz) want="$build $fuzz" ;;
*) echo "usage: $0 build|bench|fuzz" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
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
else
    echo "cairn: missing Debian packages. Run as root:" >&2
    echo "  apt-get install -y$missing" >&2
    exit 1
fi
