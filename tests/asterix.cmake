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
# The CLI end to end on the samples (skipped without ../shared/data): the
# summary line counts records and explained errors per file.
set(_ax_samples ${CAIRN_SHARED_DATA}/asterix/croatiacontrol/sample_data)
if(EXISTS ${_ax_samples}/cat_034_048.pcap)
    add_test(NAME cli_decode_asterix_pcap
        COMMAND cairn decode --stats ${_ax_samples}/cat_034_048.pcap)
    set_tests_properties(cli_decode_asterix_pcap PROPERTIES LABELS vectors
        PASS_REGULAR_EXPRESSION "100 datagrams \\(0 ORADIS\\), 120 blocks, 162 records, 0 errors")
    add_test(NAME cli_decode_asterix_broken
        COMMAND cairn decode --edition 62=1.19 ${_ax_samples}/asterix.pcap)
    set_tests_properties(cli_decode_asterix_broken PROPERTIES LABELS vectors
        PASS_REGULAR_EXPRESSION "48 records, 72 errors \\(0 bad block, 0 unknown category, 17 FSPEC, 55 item\\)")
    add_test(NAME cli_decode_asterix_oradis
        COMMAND cairn decode --stats ${_ax_samples}/cat_001_002.pcap)
    set_tests_properties(cli_decode_asterix_oradis PROPERTIES LABELS vectors
        PASS_REGULAR_EXPRESSION "1 datagrams \\(1 ORADIS\\), 6 blocks, 8 records, 0 errors")
endif()
# Croatia Control's FINAL and HDLC framings on self-made recordings
# (tests/vectors/asterix/framing/README.md): detected, unwrapped, timed.
set(_ax_framing ${CMAKE_SOURCE_DIR}/tests/vectors/asterix/framing)
add_test(NAME cli_decode_asterix_final
    COMMAND cairn decode --format asterix --stats ${_ax_framing}/two_records.final)
set_tests_properties(cli_decode_asterix_final PROPERTIES LABELS vectors
    PASS_REGULAR_EXPRESSION "FINAL recording, 2 records, 0 octets skipped.*3 records, 0 errors")
add_test(NAME cli_decode_asterix_final_time
    COMMAND cairn decode --format asterix --framing final ${_ax_framing}/two_records.final)
set_tests_properties(cli_decode_asterix_final_time PROPERTIES LABELS vectors
    PASS_REGULAR_EXPRESSION "\"rec_tod_s\":45296.5,.*\"rec_tod_s\":45297,")
add_test(NAME cli_decode_asterix_hdlc
    COMMAND cairn decode --format hdlc --stats ${_ax_framing}/noisy.hdlc)
set_tests_properties(cli_decode_asterix_hdlc PROPERTIES LABELS vectors
    PASS_REGULAR_EXPRESSION "HDLC recording, 2 good frames, 25 octets skipped.*3 records, 0 errors")
# CAT002 + CAT001 in HDLC, as CroatiaControl's decoder reads it (its HDLC
# reader takes categories 0-7 only): the same 4 records in the same order
add_test(NAME cli_decode_asterix_hdlc_cat001
    COMMAND cairn decode --format hdlc ${_ax_framing}/cat001_002.hdlc)
set_tests_properties(cli_decode_asterix_hdlc_cat001 PROPERTIES LABELS vectors
    PASS_REGULAR_EXPRESSION "\"cat\":2,.*\"I030\":33501.4140625.*\"cat\":1,.*\"RHO\":127.4375,\"THETA\":256.61865234375.*\"MODE3A\":\"5543\".*\"HGT\":380.*\"cat\":2,.*\"cat\":1,")
cairn_fuzz(asterix ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_asterix.c LIBS cairn_asterix)
# capture frames (Ethernet, VLAN, 802.3 + LLC, SNAP, cooked v1/v2) to ASTERIX
cairn_fuzz(pcap_frame ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_pcap_frame.c
    LIBS cairn_feed cairn_asterix)

# --- encode: encoder, typed API, round trips, tshark, UDP input ---
cairn_test(test_asterix_roundtrip unit SOURCES unit/asterix_enc/test_asterix_roundtrip.c
    LIBS cairn_asterix cairn_feed m TIMEOUT 120)
cairn_test(test_asterix_typed unit SOURCES unit/asterix_enc/test_asterix_typed.c
    LIBS cairn_asterix m TIMEOUT 60)
cairn_test(test_asterix_enc_tshark integ SOURCES integ/asterix/test_tshark.c
    LIBS cairn_asterix cairn_integ_tshark m TIMEOUT 120)
# Every link framing of a capture (Ethernet, 802.1Q, 802.3 + LLC without IP,
# LLC/SNAP, Linux cooked v1/v2) and every category tshark dissects: cairn
# and tshark read the same self-made captures to the same values (integ).
cairn_test(test_asterix_tshark_links integ SOURCES integ/asterix/test_tshark_links.c
    LIBS cairn_asterix cairn_feed PkgConfig::PCAP m TIMEOUT 120)
cairn_fuzz(asterix_roundtrip ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_asterix_roundtrip.c
    LIBS cairn_asterix)
cairn_test(test_asterix_udp_feed integ SOURCES integ/asterix/test_udp_feed.c
    LIBS cairn_feed cairn_asterix TIMEOUT 30)
# `cairn decode --udp` end to end: the real binary on 127.0.0.1 (integ).
cairn_test(test_asterix_cli_udp integ SOURCES integ/asterix/test_cli_udp.c LIBS cairn_asterix
    TIMEOUT 60)
target_compile_definitions(test_asterix_cli_udp PRIVATE CAIRN_BIN="$<TARGET_FILE:cairn>")
add_dependencies(test_asterix_cli_udp cairn)
