"""Versioned rule sets: every threshold, window and weight the detection SQL reads, one file per
version (rules/<version>.yml), the live one named by rules/active."""
