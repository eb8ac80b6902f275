"""No cgroup: where none can be had, a run gets none and its peak memory is sampled instead.

The sampler (measure/sampler.py) then walks the process tree itself, and every figure a cgroup
would have given is left out of the run's record rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from harness.measure.cgroup.base import Cgroup


class NoCgroup:
    """The stand-in for a cgroup version where there is none: it makes no run cgroup."""

    method = "sampled"

    @classmethod
    def create(cls, parents: Mapping[str, Path], memory_limit_bytes: int | None = None) -> Cgroup | None:
        """No cgroup for the run: the caller samples its process tree."""
        return None
