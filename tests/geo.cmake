# tests for src/geo and for the report layer of the decoders.
cairn_test(test_geo unit SOURCES unit/geo/test_geo.c LIBS cairn_geo m)
