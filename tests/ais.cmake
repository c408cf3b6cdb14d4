# tests for src/decode/ais (AIS: NMEA framing, fragments, message types, JSON)
cairn_test(test_ais_vectors vectors SOURCES vectors/ais/test_ais_vectors.c
           LIBS cairn_ais cairn_base PkgConfig::JANSSON m)
cairn_test(test_ais unit SOURCES unit/ais/test_ais.c LIBS cairn_ais cairn_base PkgConfig::JANSSON m
           TIMEOUT 300)
cairn_fuzz(nmea ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_nmea.c LIBS cairn_ais cairn_base m)
cairn_fuzz(ais_payload ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_ais_payload.c LIBS cairn_ais cairn_base m)
cairn_test(test_ais_live integ SOURCES integ/ais/test_ais_live.c
           LIBS cairn_feed cairn_ais cairn_base TIMEOUT 60)
cairn_test(test_ais_cli integ SOURCES integ/ais/test_ais_cli.c
           LIBS PkgConfig::JANSSON ARGS $<TARGET_FILE:cairn> TIMEOUT 60)
add_dependencies(test_ais_cli cairn)
