# tests for asterix: none yet.
