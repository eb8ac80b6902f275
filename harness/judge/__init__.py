"""The claims and their verdicts, judged from a run's rows."""
