#!/bin/sh
# The web console (ui/): its npm packages (npm ci, from package-lock.json)
# and its build (npm run build -> ui/dist), for make demo and make check.
# Nothing to do while ui/package.json does not exist; without node and npm
# it says so and exits 0 (the centre then serves its API without a console,
# and the console's tests skip saying why).
#
# usage: tools/ui.sh [--no-build]
set -u
cd "$(dirname "$0")/.."
[ -f ui/package.json ] || exit 0
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "cairn: node and npm are missing: the console (ui/) is not built" >&2
    exit 0
fi
# npm ci wipes and reinstalls node_modules: only when the lock file changed
# since the last install (npm keeps its own copy of it there).
if [ ! -f ui/node_modules/.package-lock.json ] ||
    [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    echo "cairn: npm ci in ui/" >&2
    (cd ui && npm ci --no-audit --no-fund >&2) || exit 1
fi
[ "${1:-}" = --no-build ] && exit 0
echo "cairn: building the console (npm run build in ui/)" >&2
(cd ui && npm run build >&2) || exit 1
