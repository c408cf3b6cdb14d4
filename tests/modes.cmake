# tests for src/decode/modes and its feeds. One section per owner; append
# inside your own section only.

# --- core: CRC, DF, ADS-B, CPR, Comm-B ---
cairn_test(test_modes_core unit SOURCES unit/modes/test_modes_core.c LIBS cairn_modes m)
cairn_test(test_modes_vectors vectors SOURCES vectors/modes/test_modes_vectors.c
           LIBS cairn_modes PkgConfig::JANSSON m)
cairn_fuzz(modes_frame ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_modes_frame.c LIBS cairn_modes)
# 406B90 positions, and TIS-B/ADS-R squitters (issue 11), against
# dump1090-mutability on loopback (~25 s; skips without the shared data or
# the package)
cairn_test(test_modes_dump1090 integ SOURCES vectors/modes/test_modes_dump1090.c
           LIBS cairn_modes PkgConfig::JANSSON m TIMEOUT 120)

# --- stream: Beast / AVR / SBS parsers and `cairn decode` for them ---
cairn_test(test_modes_stream unit SOURCES unit/modes_stream/test_modes_stream.c
           LIBS cairn_modes m TIMEOUT 600)
cairn_fuzz(beast ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_beast.c LIBS cairn_modes)
cairn_fuzz(avr ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_avr.c LIBS cairn_modes)
cairn_fuzz(sbs ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_sbs.c LIBS cairn_modes m)
cairn_test(test_modes_stpetersburg integ SOURCES integ/modes/test_modes_stpetersburg.c
           LIBS cairn_modes cairn_integ m ARGS $<TARGET_FILE:cairn> TIMEOUT 300)
add_dependencies(test_modes_stpetersburg cairn)

# --- demod: demodulator, IQ files, RTL-SDR ---
cairn_test(test_demod unit SOURCES unit/demod/test_demod.c LIBS cairn_feed cairn_modes m)
cairn_test(test_demod_vectors vectors SOURCES vectors/demod/test_demod_vectors.c
           LIBS cairn_feed cairn_modes)
cairn_fuzz(demod ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_demod.c LIBS cairn_modes)
