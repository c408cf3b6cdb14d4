# benchmarks for hotline: none yet.
