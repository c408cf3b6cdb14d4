# tests for the flight plans (src/track/fpl.h): field vectors, hostile
# input, matching, deviation, activity window, the shipped scenario plans;
# and the fuzz target over the FPL reader and the points file.
cairn_test(test_fpl unit SOURCES unit/track/test_fpl.c LIBS cairn_fpl m)
cairn_fuzz(fpl ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_fpl.c LIBS cairn_fpl)
