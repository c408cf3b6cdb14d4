# tests for src/geo and for the report layer of the decoders.
cairn_test(test_geo unit SOURCES unit/geo/test_geo.c LIBS cairn_geo m)
cairn_test(test_report unit SOURCES unit/report/test_report.c
    LIBS cairn_asterix cairn_modes cairn_ais cairn_geo m)
# the report layer on the ASTERIX samples (skipped without ../shared/data)
cairn_test(test_report_samples vectors SOURCES vectors/report/test_report_samples.c
    LIBS cairn_asterix cairn_feed cairn_geo m)
target_include_directories(test_report_samples PRIVATE ${CMAKE_SOURCE_DIR}/tests/vectors/asterix)
