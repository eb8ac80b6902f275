"""A fresh cgroup per run, for exact peak memory and CPU time of a whole process tree.

The kernel keeps the peak itself, so it costs nothing while the program runs and misses no short
spike. As in benchexec, one interface (``base.Cgroup``) has an implementation per version
(``v1.CgroupV1``: the ``memory`` and ``cpuacct`` hierarchies; ``v2.CgroupV2``: a writable subtree
with the memory controller) and a fallback where there is no cgroup (``none.NoCgroup``: the run's
tree is sampled). ``detect()`` picks one; callers use the ``Support`` it returns and the
``Cgroup`` that makes, and never look at the version.
"""

from __future__ import annotations

from pathlib import Path

from harness.measure.cgroup.base import Cgroup, CgroupReading, read_counters, remove_dir
from harness.measure.cgroup.detect import PARENT, ROOT, Support, detect, existing, remove_stale
from harness.measure.cgroup.v1 import own_paths as _own_v1_paths

__all__ = ["PARENT", "ROOT", "Cgroup", "CgroupReading", "RunCgroup", "Support", "_own_v1_paths", "anon_bytes", "detect",
           "existing", "memory_peak", "read_counters", "remove_dir", "remove_stale", "reset_memory_peak"]


def RunCgroup(support: Support) -> Cgroup:  # the name of the class this function replaced
    """A new run cgroup where ``support`` has cgroups (the name the tests knew before the split)."""
    group = support.create()
    if group is None:
        raise ValueError(f"no cgroup to create: {support.reason}")
    return group


def anon_bytes(memory_dir: Path, version: int) -> int:
    """Anonymous memory charged now to a memory cgroup (heap, stacks), without page cache."""
    return existing(memory_dir, version).anon_bytes()


def memory_peak(memory_dir: Path, version: int) -> int | None:
    """A memory cgroup's peak (None where the kernel keeps none: v2 before Linux 5.19)."""
    return existing(memory_dir, version).peak_bytes()


def reset_memory_peak(memory_dir: Path, version: int) -> bool:
    """Restart a memory cgroup's peak from its current usage: v1 only, and only where it is writable."""
    return existing(memory_dir, version).reset_peak()
