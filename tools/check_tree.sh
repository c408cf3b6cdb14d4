#!/bin/sh
# check_tree.sh — the house rules that a machine checks, run by `make check`
# (ctest test `tree_rules`, label lint) and alone as `sh tools/check_tree.sh`.
#
#  1. Every C source and header that git tracks (or that is new and not
#     ignored) is as clang-format (the checked-in .clang-format) would write
#     it. Generated files (first lines say "GENERATED") are exempt: their
#     generator owns their layout. Fix with `make format`.
#  2. One direction of dependency between the folders under src/
#     (docs/architecture.md, ../shared/docs/style.md):
#         base <- geo <- decode <- track <- detect
#         feed    uses base and the decoders' public headers
#         sim     (scenario generator) uses base, geo and the decoders'
#                 encoders
#         hotline uses base
#         web     uses everything below app (read-only views)
#         app, cli wire everything; nothing includes them (cli includes app)
#     A quoted #include "DIR/..." of a folder that a file's folder may not
#     use is an error.
#  3. A test that can skip a case (TD_REQUIRE, TD_SKIP from
#     tests/support/testdata.h) returns td_exit(...) from main, so that its
#     skips reach ctest as "skipped" (exit 77) and never pass as passed.
#
# Prints one line per problem and exits 1 if there is any; 0 otherwise.
# With --fix (`make format`) it rewrites the files of rule 1 in place first.
# usage: tools/check_tree.sh [--fix] [SOURCE_DIR]
set -u
fix=0
if [ "${1:-}" = "--fix" ]; then
    fix=1
    shift
fi
cd "${1:-$(dirname "$0")/..}" || exit 2

bad=0
files=$(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' 2>/dev/null) || {
    echo "check_tree: not a git checkout; cannot list the sources" >&2
    exit 2
}

# 1. formatting
fmt=$(command -v clang-format || command -v clang-format-14 || true)
if [ -z "$fmt" ]; then
    echo "check_tree: clang-format not found (tools/deps.sh build installs it)" >&2
    exit 2
fi
tofmt=""
for f in $files; do
    [ -f "$f" ] || continue
    head -n 3 "$f" | grep -q GENERATED && continue
    tofmt="$tofmt $f"
done
# One clang-format run for all files; it names each file that differs.
if [ -n "$tofmt" ] && [ "$fix" = 1 ]; then
    # shellcheck disable=SC2086
    "$fmt" -i $tofmt
fi
if [ -n "$tofmt" ]; then
    # shellcheck disable=SC2086
    unformatted=$("$fmt" --dry-run --Werror $tofmt 2>&1 |
        sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' | sort -u)
    for f in $unformatted; do
        echo "$f: not clang-formatted (run: make format)"
        bad=1
    done
fi

# 2. layering: which folders each src/ folder may include from.
allowed() {
    case "$1" in
    base) echo "base" ;;
    geo) echo "base geo" ;;
    decode) echo "base geo decode" ;;
    track) echo "base geo decode track" ;;
    detect) echo "base geo decode track detect" ;;
    picture) echo "base geo decode track detect picture" ;;
    eval) echo "base geo decode track detect eval" ;;
    feed) echo "base decode feed" ;;
    hotline) echo "base hotline" ;;
    sim) echo "base geo decode sim" ;;
    web) echo "base geo decode track detect picture feed hotline web" ;;
    app) echo "base geo decode track detect picture eval feed hotline sim web app" ;;
    cli) echo "base geo decode track detect picture eval feed hotline sim web app cli" ;;
    *) echo "" ;;
    esac
}
for f in $files; do
    case "$f" in
    src/*/*) ;;
    *) continue ;;
    esac
    [ -f "$f" ] || continue
    dir=${f#src/}
    dir=${dir%%/*}
    ok=$(allowed "$dir")
    if [ -z "$ok" ]; then
        echo "$f: folder src/$dir/ has no place in the layering (add it to tools/check_tree.sh)"
        bad=1
        continue
    fi
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_0-9]*\)\/.*/\1/p' "$f" | sort -u); do
        case " $ok " in
        *" $inc "*) ;;
        *)
            echo "$f: src/$dir/ may not include src/$inc/ (allowed: $ok)"
            bad=1
            ;;
        esac
    done
done

# 3. honest skips
for f in $files; do
    case "$f" in
    tests/*.c) ;;
    *) continue ;;
    esac
    [ -f "$f" ] || continue
    if grep -q 'TD_REQUIRE\|TD_SKIP' "$f" && ! grep -q 'td_exit' "$f"; then
        echo "$f: skips cases but main does not return td_exit(...) (tests/support/testdata.h)"
        bad=1
    fi
done

exit $bad
