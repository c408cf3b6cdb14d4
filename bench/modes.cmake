# benchmarks for Mode S. One section per owner.

# --- core / stream: frame decoding from a Beast stream in memory ---
add_executable(bench_modes_beast bench_modes_beast.c)
target_link_libraries(bench_modes_beast PRIVATE cairn_modes cairn_base m)
target_compile_definitions(bench_modes_beast PRIVATE CAIRN_SHARED_DATA="${CAIRN_SHARED_DATA}")
set_target_properties(bench_modes_beast PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
add_dependencies(bench_modes_beast cairn) # part 2 pipes into the release binary
add_executable(bench_modes_decode bench_modes_decode.c)
target_link_libraries(bench_modes_decode PRIVATE cairn_modes cairn_base m)
target_compile_definitions(bench_modes_decode PRIVATE CAIRN_SHARED_DATA="${CAIRN_SHARED_DATA}")
set_target_properties(bench_modes_decode PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

# --- demod: demodulation at 2.0 / 2.4 MS/s vs dump1090-mutability ---
add_executable(bench_demod bench_demod.c)
target_link_libraries(bench_demod PRIVATE cairn_feed cairn_modes cairn_base m)
target_include_directories(bench_demod PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit/demod)
target_compile_definitions(bench_demod PRIVATE CAIRN_SHARED_DATA="${CAIRN_SHARED_DATA}")
set_target_properties(bench_demod PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
