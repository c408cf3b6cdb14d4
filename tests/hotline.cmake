# tests for hotline: none yet.
