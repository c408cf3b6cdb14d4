# tests for src/hotline. One section per owner.

# --- core: catalogue, canonical encoding, signing, journal, cases, audit ---

# --- link: framing, TLS, sessions, daemon, integration tests ---
