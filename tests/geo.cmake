# tests for src/geo and for the report layer of the decoders.
cairn_test(test_geo unit SOURCES unit/geo/test_geo.c LIBS cairn_geo m)
cairn_test(test_report unit SOURCES unit/report/test_report.c
    LIBS cairn_asterix cairn_modes cairn_ais cairn_geo m)
