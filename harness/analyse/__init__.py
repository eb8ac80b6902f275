"""Figures derived from a run's rows: statistics, ratios, checksum and parallelism checks."""
