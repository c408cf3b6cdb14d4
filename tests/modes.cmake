# tests for modes: none yet.
