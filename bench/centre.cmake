# benchmark of the daemon: `cairn run` (the release binary) fed mixed live
# input (Beast TCP, ASTERIX and AIS UDP) at 100,000 reports/s, with 50 SSE
# clients; cycle lateness, sensor-to-API latency, CPU (docs/centre.md)
add_executable(bench_centre bench_centre.c)
target_link_libraries(bench_centre PRIVATE cairn_sim cairn_modes m Threads::Threads)
target_compile_definitions(bench_centre PRIVATE CAIRN_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
set_target_properties(bench_centre PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
add_dependencies(bench_centre cairn)
