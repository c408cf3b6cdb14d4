# tests for src/app and `cairn run`: the real daemon on 127.0.0.1 fed a
# replay of `cairn sim malmo-2014`, its API, metrics, signals; configuration
# refusals (the configuration parser's own unit test: test_app_config).
cairn_test(test_run integ SOURCES integ/app/test_run.c LIBS cairn_integ cairn_modes
           ARGS $<TARGET_FILE:cairn> TIMEOUT 180)
add_dependencies(test_run cairn)
# `cairn replay` into a running centre through its [sensor] ports: pacing at
# xN, re-stamped AIS and ASTERIX times, faults (tests/integ/app/test_replay_live.c)
cairn_test(test_replay_live integ SOURCES integ/app/test_replay_live.c LIBS cairn_integ
           ARGS $<TARGET_FILE:cairn> TIMEOUT 120)
add_dependencies(test_replay_live cairn)
# SIGHUP reloads the configuration: [sensor] sections added, kept (their
# connection untouched), changed, removed; a broken file changes nothing
cairn_test(test_reload integ SOURCES integ/app/test_reload.c LIBS cairn_integ
           ARGS $<TARGET_FILE:cairn> TIMEOUT 120)
add_dependencies(test_reload cairn)
cairn_test(test_app_config unit SOURCES unit/app/test_app_config.c LIBS cairn_app)
cairn_fuzz(app_config ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_app_config.c LIBS cairn_app)
# alerts as ASTERIX CAT004 records, decoded back through the CAT004 table
cairn_test(test_app_cat004 unit SOURCES unit/app/test_app_cat004.c LIBS cairn_app m)
# the output ports (app/output.h): encoders, configuration, a port on loopback
cairn_test(test_app_output unit SOURCES unit/app/test_app_output.c LIBS cairn_app)
# faults and output ports of the real daemon on loopback: a garbage sensor,
# a sensor that disconnects and returns, Beast/AVR/SBS out, aircraft.json
# checked by tools/check_aircraft_json.py against readsb's fields
cairn_test(test_outputs integ SOURCES integ/app/test_outputs.c LIBS cairn_modes cairn_integ
           ARGS $<TARGET_FILE:cairn> ${CMAKE_SOURCE_DIR}/tools/check_aircraft_json.py TIMEOUT 180)
add_dependencies(test_outputs cairn)
# a peer centre away and back: two real daemons with the hotline embedded,
# one stopped (SIGSTOP) for eight dead intervals of compressed timers
cairn_test(test_peer_away integ SOURCES integ/app/test_peer_away.c LIBS cairn_integ
           ARGS $<TARGET_FILE:cairn> TIMEOUT 180)
add_dependencies(test_peer_away cairn)
# `cairn demo`: two centres on loopback, their consoles' APIs, the hotline
# between them, a clean stop (tests/integ/app/test_demo.c)
cairn_test(test_demo integ SOURCES integ/app/test_demo.c LIBS cairn_integ
           ARGS $<TARGET_FILE:cairn> TIMEOUT 240)
add_dependencies(test_demo cairn)
# the same with the St Petersburg recording on the Russian side (skipped
# without ../shared/data)
cairn_test(test_demo_recording integ SOURCES integ/app/test_demo.c LIBS cairn_integ
           ARGS $<TARGET_FILE:cairn> recording TIMEOUT 240)
add_dependencies(test_demo_recording cairn)
# the procedures between two centres over their hotline (app/procedures.h):
# alert -> INCIDENT_REPORT acknowledged, late ACTIVITY_NOTICE as a zone in
# both pictures, a COMPLIANCE_SUMMARY that disagrees, drafts across a restart
cairn_test(test_procs integ SOURCES integ/app/test_procs.c LIBS cairn_integ
           ARGS $<TARGET_FILE:cairn> TIMEOUT 240)
add_dependencies(test_procs cairn)
# a peer's COMPLIANCE_SUMMARY texts and notice areas (app/compliance.h, procedures.h)
cairn_fuzz(compliance ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_compliance.c LIBS cairn_app)
# the compliance ledger saved beside the journal and read back at start
cairn_fuzz(cpl_ledger ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_cpl_ledger.c LIBS cairn_app)
# the procedures' pure parts on a fake clock: drafting, lead times and
# thresholds, areas, the compliance ledger, summaries and their comparison
cairn_test(test_app_procs unit SOURCES unit/app/test_app_procs.c LIBS cairn_app)
# the shared picture: release policy, and tracks as CAT062 read back (app/peer.h, app/cat062.h)
cairn_test(test_app_peer unit SOURCES unit/app/test_app_peer.c LIBS cairn_app m)
# three centres sharing their pictures under different release policies,
# checked on the receiving end (docs/centre.md, "Peers")
cairn_test(test_peers integ SOURCES integ/app/test_peers.c LIBS cairn_app cairn_integ
           ARGS $<TARGET_FILE:cairn> TIMEOUT 600)
add_dependencies(test_peers cairn)
cairn_fuzz(app_picture ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_app_picture.c LIBS cairn_app)
# operators' acknowledgements of alerts (app/acks.h) and their JSON
cairn_test(test_app_acks unit SOURCES unit/app/test_app_acks.c LIBS cairn_app)
# the CAT004 alerts `cairn run` sends (app_cat004), read back by tshark to
# the alerts' values (integ; skipped without tshark)
cairn_test(test_app_cat004_tshark integ SOURCES integ/app/test_app_cat004_tshark.c
    LIBS cairn_app cairn_integ_tshark TIMEOUT 120)
# `cairn replay --to`: wire units of the recordings (feed/source.h) and the
# re-stamping of AIS c: and ASTERIX times of day (app/replay_to.h)
cairn_test(test_replay_to unit SOURCES unit/app/test_replay_to.c LIBS cairn_app Threads::Threads)
# the re-stamping on any bytes, over the nmea and asterix corpora (no
# corpus of its own)
cairn_fuzz(replay_restamp_nmea ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_replay_restamp.c
           CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/nmea LIBS cairn_app)
cairn_fuzz(replay_restamp_ax ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_replay_restamp.c
           CORPUS ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/asterix LIBS cairn_app)
