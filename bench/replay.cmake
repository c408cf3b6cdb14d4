# benchmark of the replay client (`cairn replay --to`, app/replay_to.h):
# units/s into a loopback sink at --speed max, beside a raw copy of the bytes
add_executable(bench_replay bench_replay.c)
target_link_libraries(bench_replay PRIVATE cairn_app Threads::Threads)
set_target_properties(bench_replay PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
