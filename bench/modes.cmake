# benchmarks for modes: none yet.
