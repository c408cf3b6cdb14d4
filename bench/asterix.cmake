# benchmarks for asterix: none yet.
