# tests for src/app and `cairn run`: the real daemon on 127.0.0.1 fed a
# replay of `cairn sim malmo-2014`, its API, metrics, signals; configuration
# refusals (the configuration parser's own unit test: test_app_config).
cairn_test(test_run integ SOURCES integ/app/test_run.c LIBS PkgConfig::JANSSON
           ARGS $<TARGET_FILE:cairn> TIMEOUT 180)
add_dependencies(test_run cairn)
cairn_test(test_app_config unit SOURCES unit/app/test_app_config.c LIBS cairn_app)
cairn_fuzz(app_config ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_app_config.c LIBS cairn_app)
# alerts as ASTERIX CAT004 records, decoded back through the CAT004 table
cairn_test(test_app_cat004 unit SOURCES unit/app/test_app_cat004.c LIBS cairn_app m)
# the shared picture: release policy, and tracks as CAT062 read back (app/peer.h, app/cat062.h)
cairn_test(test_app_peer unit SOURCES unit/app/test_app_peer.c LIBS cairn_app m)
# three centres sharing their pictures under different release policies,
# checked on the receiving end (docs/centre.md, "Peers")
cairn_test(test_peers integ SOURCES integ/app/test_peers.c LIBS cairn_app PkgConfig::JANSSON
           ARGS $<TARGET_FILE:cairn> TIMEOUT 600)
add_dependencies(test_peers cairn)
cairn_fuzz(app_picture ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_app_picture.c LIBS cairn_app)
