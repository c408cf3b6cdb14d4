# tests for src/decode/asterix. One section per owner.

# --- decode: generator, tables, decoder, JSON, pcap, reference comparisons ---

# --- encode: encoder, typed API, round trips, tshark, UDP input ---
cairn_test(test_asterix_udp_feed integ SOURCES integ/asterix/test_udp_feed.c
    LIBS cairn_feed TIMEOUT 30)
