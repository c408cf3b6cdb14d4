# tests for ais: none yet.
