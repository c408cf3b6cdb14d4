# tests for src/hotline. One section per owner.

# --- core: catalogue, canonical encoding, signing, journal, cases, audit ---
cairn_test(test_hl_msg unit SOURCES unit/hotline/test_hl_msg.c LIBS cairn_hotline TIMEOUT 120)
cairn_test(test_hl_journal unit SOURCES unit/hotline/test_hl_journal.c LIBS cairn_hotline
           TIMEOUT 120)
cairn_test(test_hl_cases unit SOURCES unit/hotline/test_hl_cases.c LIBS cairn_hotline TIMEOUT 120)
# every allocation of a journal life made to fail in turn: about 30 s on a
# quiet machine, two minutes and more on a loaded one (hence the timeout)
cairn_test(test_hl_alloc unit SOURCES unit/hotline/test_hl_alloc.c LIBS cairn_hotline TIMEOUT 900)
target_link_options(test_hl_alloc PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc)
# keygen and audit verify through the real binary (no network; labelled integ)
cairn_test(test_hl_cli integ SOURCES unit/hotline/test_hl_cli.c LIBS cairn_hotline TIMEOUT 120)
target_compile_definitions(test_hl_cli PRIVATE CAIRN_BIN="$<TARGET_FILE:cairn>")
add_dependencies(test_hl_cli cairn)
cairn_fuzz(hl_msg ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_hl_msg.c LIBS cairn_hotline)

# --- link: framing, TLS, sessions, daemon, integration tests ---
cairn_test(test_hl_frame unit SOURCES unit/hotline_link/test_hl_frame.c LIBS cairn_hotline)
cairn_test(test_hl_daemon_config unit SOURCES unit/hotline_link/test_hl_daemon_config.c
           LIBS cairn_hotline)
# Integration: real `cairn hotline` daemons on 127.0.0.1 (fork/exec of the
# binary), each test in its own /tmp folder, bounded by TIMEOUT.
# The daemons run the `hotline`/`msg`/`case` subcommands of the cairn CLI
# (src/cli/hotline.c, msg.c; audit.c for `audit verify`) built into a binary of their own, so that
# another module's breakage cannot stop these tests.
# It also carries the tests' fault injection (a full disk on demand, an
# SQLite VFS: integ/hotline/hl_nospace_vfs.h; the control op clock_advance,
# an extra op of hotline/daemon.h: integ/hotline/hl_cli_main.c), which the
# cairn binary has not.
add_executable(cairn_hl integ/hotline/hl_cli_main.c integ/hotline/hl_nospace_vfs.c
               ${CMAKE_SOURCE_DIR}/src/cli/hotline.c ${CMAKE_SOURCE_DIR}/src/cli/msg.c
               ${CMAKE_SOURCE_DIR}/src/cli/audit.c)
target_include_directories(cairn_hl PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(cairn_hl PRIVATE cairn_hotline)
add_library(hl_harness STATIC integ/hotline/hl_harness.c)
target_include_directories(hl_harness PUBLIC ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(hl_harness PUBLIC cairn_hotline cairn_integ)
target_compile_definitions(hl_harness PRIVATE CAIRN_BIN="$<TARGET_FILE:cairn_hl>")
add_dependencies(hl_harness cairn_hl)
foreach(t exchange crash hostile nospace skew files rollback tamper flood)
    cairn_test(test_hl_${t} integ SOURCES integ/hotline/test_hl_${t}.c LIBS hl_harness
               TIMEOUT 400)
endforeach()
# test_hl_files also runs the production binary, to see it has no test hook.
target_compile_definitions(test_hl_files PRIVATE CAIRN_PROD_BIN="$<TARGET_FILE:cairn>")
add_dependencies(test_hl_files cairn)
cairn_fuzz(hl_frame ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_hl_frame.c LIBS cairn_hotline)
cairn_test(test_hl_link integ SOURCES unit/hotline_link/test_hl_link.c LIBS cairn_hotline TIMEOUT 120)
