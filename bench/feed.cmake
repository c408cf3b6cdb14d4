# benchmarks for src/feed's live sensors
add_executable(bench_sensor bench_sensor.c)
target_link_libraries(bench_sensor PRIVATE cairn_feed)
target_compile_definitions(bench_sensor PRIVATE CAIRN_SHARED_DATA="${CAIRN_SHARED_DATA}")
set_target_properties(bench_sensor PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
