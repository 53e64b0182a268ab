"""Helpers for tests and benchmarks: tiny real Marian models built in seconds."""
