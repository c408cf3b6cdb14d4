# tests for src/decode/ais (AIS: NMEA framing, fragments, message types, JSON)
cairn_test(test_ais_vectors vectors SOURCES vectors/ais/test_ais_vectors.c
           LIBS cairn_ais cairn_base PkgConfig::JANSSON m)
