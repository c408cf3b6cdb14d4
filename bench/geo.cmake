# benchmarks for src/geo: calls/s of geodesics, radar plots, frames, polygons
add_executable(bench_geo bench_geo.c)
target_link_libraries(bench_geo PRIVATE cairn_geo m)
set_target_properties(bench_geo PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
