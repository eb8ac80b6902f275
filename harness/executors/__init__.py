"""Executors run one job and return a RunResult; every backend measures the same fields."""

from harness.executors.base import Executor, RunResult

__all__ = ["Executor", "RunResult"]
