# cairn — the two commands (see README.md):
#   make demo    install what is missing (as root), build the daemon and the console,
#                run `cairn demo`: two centres and their consoles (Ctrl-C stops it)
#   make check   install what is missing (as root), build with sanitizers and the
#                console, run every test
# Others: make (release build, build/cairn), make ui (the console: npm ci, npm run
# build), make bench, make fuzz, make soak (hotline
# tests 50 times with both cores busy), make format, make clean.

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SHARED ?= ../shared/data
FUZZ_SECONDS ?= 60
# More options for cairn demo, e.g. make demo DEMO_ARGS="--port 0 --speed 5"
DEMO_ARGS ?=

.PHONY: all build deps ui demo check dev bench fuzz soak format clean

all: build

deps:
	@sh tools/deps.sh build

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# The console's tools (node, npm, chromium: optional without root), its npm
# packages and its build (ui/dist), once ui/package.json exists.
ui:
	@sh tools/deps.sh ui
	@sh tools/ui.sh

demo: build ui
	@sh tools/demo.sh "$(SHARED)" $(DEMO_ARGS)

dev: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

# ctest's status is kept; the skipped programs are listed with why either way.
check: dev ui
	@cd build/dev && ctest -j $(JOBS) --output-on-failure --timeout 900; rc=$$?; \
	 cd ../.. && sh tools/skipped.sh build/dev; exit $$rc

soak: dev
	@sh tools/soak.sh

bench: build
	@sh tools/deps.sh bench
	@sh tools/bench.sh "$(SHARED)"

fuzz:
	@sh tools/deps.sh fuzz
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target fuzz_all
	@sh tools/fuzz.sh $(FUZZ_SECONDS)

# Every tracked C file but the generated tables, as tools/check_tree.sh checks.
format:
	@sh tools/check_tree.sh --fix >/dev/null; sh tools/check_tree.sh

clean:
	rm -rf build
