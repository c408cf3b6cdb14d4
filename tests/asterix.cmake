# tests for src/decode/asterix. One section per owner.

# --- decode: generator, tables, decoder, JSON, pcap, reference comparisons ---
cairn_test(test_asterix_decode unit SOURCES unit/asterix/test_asterix_decode.c
    LIBS cairn_asterix cairn_feed)
cairn_test(test_asterix_croatia vectors SOURCES vectors/asterix/test_asterix_croatia.c
    LIBS cairn_asterix cairn_feed PkgConfig::JANSSON m)
cairn_test(test_asterix_tshark vectors SOURCES vectors/asterix/test_asterix_tshark.c
    LIBS cairn_asterix cairn_feed)
cairn_test(test_asterix_samples vectors SOURCES vectors/asterix/test_asterix_samples.c
    LIBS cairn_asterix cairn_feed)
cairn_fuzz(asterix ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_asterix.c LIBS cairn_asterix)

# --- encode: encoder, typed API, round trips, tshark, UDP input ---
cairn_test(test_asterix_roundtrip unit SOURCES unit/asterix_enc/test_asterix_roundtrip.c
    LIBS cairn_asterix cairn_feed m TIMEOUT 120)
cairn_test(test_asterix_typed unit SOURCES unit/asterix_enc/test_asterix_typed.c
    LIBS cairn_asterix m TIMEOUT 60)
cairn_test(test_asterix_enc_tshark integ SOURCES integ/asterix/test_tshark.c
    LIBS cairn_asterix PkgConfig::PCAP m TIMEOUT 120)
cairn_fuzz(asterix_roundtrip ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_asterix_roundtrip.c
    LIBS cairn_asterix)
cairn_test(test_asterix_udp_feed integ SOURCES integ/asterix/test_udp_feed.c
    LIBS cairn_feed TIMEOUT 30)
