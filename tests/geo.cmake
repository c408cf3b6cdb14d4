# tests for src/geo and for the report layer of the decoders.
cairn_test(test_geo unit SOURCES unit/geo/test_geo.c LIBS cairn_geo m)
cairn_test(test_report unit SOURCES unit/report/test_report.c
    LIBS cairn_asterix cairn_modes cairn_ais cairn_geo m)
# the report layer on the ASTERIX samples (skipped without ../shared/data)
cairn_test(test_report_samples vectors SOURCES vectors/report/test_report_samples.c
    LIBS cairn_asterix cairn_feed cairn_geo m)
target_include_directories(test_report_samples PRIVATE ${CMAKE_SOURCE_DIR}/tests/vectors/asterix)
# the GeoJSON zone loader and its queries (test_zones), and its fuzz target
cairn_test(test_zones unit SOURCES unit/geo/test_zones.c LIBS cairn_geo m
           ARGS ${CMAKE_SOURCE_DIR}/scenarios/baltic-zones.geojson)
cairn_fuzz(zones ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_zones.c LIBS cairn_geo m)
