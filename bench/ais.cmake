# benchmarks for ais: none yet.
