# cairn — the two commands (see README.md):
#   make demo    install what is missing (as root), build, run the main job
#   make check   install what is missing (as root), build with sanitizers, run every test
# Others: make (release build, build/cairn), make bench, make fuzz, make soak (hotline
# tests 50 times with both cores busy), make format, make clean.

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SHARED ?= ../shared/data
FUZZ_SECONDS ?= 60

.PHONY: all build deps demo check dev bench fuzz soak format clean

all: build

deps:
	@sh tools/deps.sh build

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

demo: build
	@sh tools/demo.sh "$(SHARED)"

dev: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

# ctest's status is kept; the skipped programs are listed with why either way.
check: dev
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
