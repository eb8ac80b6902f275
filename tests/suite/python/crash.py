"""A user's program that crashes before printing a result."""

raise SystemExit("boom: this program always fails")
