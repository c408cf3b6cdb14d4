# benchmarks for ais: reports/s from NMEA sentences, with and without JSON,
# beside gpsdecode -u -j on the same input.
add_executable(bench_ais bench_ais.c)
target_link_libraries(bench_ais PRIVATE cairn_ais cairn_base)
target_compile_definitions(bench_ais PRIVATE CAIRN_SHARED_DATA="${CAIRN_SHARED_DATA}")
set_target_properties(bench_ais PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
