"""Deterministic generator of the demo organization (small and large scales)."""
