# benchmarks for hotline: durable, signed, receipted messages over loopback TLS.
add_executable(bench_hotline bench_hotline.c)
target_link_libraries(bench_hotline PRIVATE cairn_hotline Threads::Threads)
set_target_properties(bench_hotline PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
