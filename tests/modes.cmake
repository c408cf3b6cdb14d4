# tests for src/decode/modes and its feeds. One section per owner; append
# inside your own section only.

# --- core: CRC, DF, ADS-B, CPR, Comm-B ---

# --- stream: Beast / AVR / SBS parsers and `cairn decode` for them ---

# --- demod: demodulator, IQ files, RTL-SDR ---
