"""Helpers the test suite and the benchmarks share: a real Kafka broker, a test clock."""
