# tests for src/decode/asterix. One section per owner.

# --- decode: generator, tables, decoder, JSON, pcap, reference comparisons ---

# --- encode: encoder, typed API, round trips, tshark, UDP input ---
