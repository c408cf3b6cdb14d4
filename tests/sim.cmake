# tests for src/sim and `cairn sim`.
cairn_test(test_sim unit SOURCES unit/sim/test_sim.c LIBS cairn_sim m)
cairn_fuzz(sim_scenario ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_sim_scenario.c LIBS cairn_sim)
# every output of three shipped scenarios decoded with cairn's decoders and
# compared with the truth; byte-exact reproducibility; tshark when installed
cairn_test(test_sim_cli integ SOURCES integ/sim/test_sim_cli.c
           LIBS cairn_sim cairn_feed PkgConfig::PCAP PkgConfig::JANSSON m
           ARGS $<TARGET_FILE:cairn> TIMEOUT 300)
add_dependencies(test_sim_cli cairn)
# the dark aircraft of stpetersburg-dark among the real airliners of the
# St Petersburg Beast log (skips without the shared data)
cairn_test(test_sim_stpetersburg integ SOURCES integ/sim/test_sim_stpetersburg.c
           LIBS cairn_modes cairn_asterix cairn_feed PkgConfig::PCAP PkgConfig::JANSSON m
           ARGS $<TARGET_FILE:cairn> TIMEOUT 120)
add_dependencies(test_sim_stpetersburg cairn)
