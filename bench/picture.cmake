# benchmark for the picture: one tracker + all-detectors cycle at 1k / 10k /
# 100k targets, ingestion rate, peak RSS, and the all-pairs check beside it.
add_executable(bench_picture bench_picture.c traffic.c)
target_link_libraries(bench_picture PRIVATE cairn_detect cairn_track cairn_base m)
set_target_properties(bench_picture PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
