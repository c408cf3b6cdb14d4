# benchmarks for Mode S. One section per owner.

# --- core / stream: frame decoding from a Beast stream in memory ---

# --- demod: demodulation at 2.0 / 2.4 MS/s vs dump1090-mutability ---
