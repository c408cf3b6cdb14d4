# benchmark for the web layer: /api/tracks and aircraft.json bodies at
# 1k / 10k / 50k tracks, and the cost of one Argon2id password check.
add_executable(bench_web bench_web.c)
target_link_libraries(bench_web PRIVATE cairn_web m)
set_target_properties(bench_web PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
