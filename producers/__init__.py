"""Synthetic banking events with injected, labelled fraud scenarios."""
