# benchmarks for asterix. One section per owner.

# --- decode: records/s to the structured form and to JSON, vs tshark ---
add_executable(bench_asterix bench_asterix.c)
target_link_libraries(bench_asterix PRIVATE cairn_asterix cairn_feed cairn_base PkgConfig::PCAP)
target_compile_definitions(bench_asterix PRIVATE CAIRN_SHARED_DATA="${CAIRN_SHARED_DATA}")
set_target_properties(bench_asterix PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

# --- encode: typed CAT062/CAT048 records/s, generic value re-encoding ---
add_executable(bench_asterix_enc bench_asterix_enc.c)
target_link_libraries(bench_asterix_enc PRIVATE cairn_asterix cairn_feed cairn_base m)
target_compile_definitions(bench_asterix_enc PRIVATE CAIRN_SHARED_DATA="${CAIRN_SHARED_DATA}")
set_target_properties(bench_asterix_enc PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
