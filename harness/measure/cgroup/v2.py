"""cgroup v2: a run's cgroup in one unified hierarchy, under a subtree with the memory controller."""

from __future__ import annotations

import contextlib
from pathlib import Path

from harness.measure.cgroup.base import Cgroup, CgroupReading, read_counters, read_int


class CgroupV2(Cgroup):
    """A run's cgroup on v2: memory.peak is its peak (Linux 5.19+, not resettable), cpu.stat its CPU."""

    method = "cgroup-v2"
    memory_controller = "unified"

    def limit_memory(self, limit: int) -> None:
        """memory.max at ``limit`` and no swap (memory.swap.max exists only where swap accounting is on)."""
        for name, value in (("memory.max", limit), ("memory.swap.max", 0)):
            path = self.memory_dir / name
            if path.exists():
                path.write_text(str(value))

    def anon_bytes(self) -> int:
        """Anonymous memory charged now: memory.stat's ``anon``."""
        return read_counters(self.memory_dir / "memory.stat").get("anon", 0)

    def peak_bytes(self) -> int | None:
        """memory.peak; None before Linux 5.19, which has none (the sampled RSS is then the peak)."""
        return read_int(self.memory_dir / "memory.peak")

    def reset_peak(self) -> bool:
        """v2's memory.peak cannot be restarted here."""
        return False

    def cpu_s(self) -> float:
        """cpu.stat's usage_usec."""
        return read_counters(self.memory_dir / "cpu.stat").get("usage_usec", 0) / 1e6

    def read(self) -> CgroupReading:
        """Peak, page cache (memory.stat's ``file``), CPU and OOM kills (memory.events' ``oom_kill``)."""
        stat = read_counters(self.memory_dir / "memory.stat")
        peak = self.peak_bytes()
        oom = read_counters(self.memory_dir / "memory.events").get("oom_kill", 0)
        method = self.method if peak is not None else f"{self.method}, no memory.peak (peak sampled)"
        return CgroupReading(method, peak, stat.get("file", 0), self.cpu_s(), oom)

    def _kill_at_once(self) -> None:
        """cgroup.kill (Linux 5.14+) kills every process inside at once."""
        kill_file = self.memory_dir / "cgroup.kill"
        if kill_file.exists():
            with contextlib.suppress(OSError):
                kill_file.write_text("1")


class CgroupUnusable(Exception):
    """A cgroup tree this harness can create directories in, but not run programs in."""


def parent_beside_own(root: Path, parent: str, proc_cgroup: Path = Path("/proc/self/cgroup")) -> Path:
    """Beside the cgroup this harness runs in (v2 lets a cgroup with processes have no controlled
    children): inside the same parent, so a supervisor's limits on it reach the runs; the root
    when the harness runs at the top."""
    own = "/"
    for line in proc_cgroup.read_text().splitlines():
        if line.startswith("0::"):
            own = line[3:]
    base = root if own in ("/", "") else root / own.lstrip("/") / ".."
    return base.resolve() / parent


def enable_controllers(parent: Path) -> None:
    """Delegate memory (needed) and cpu (wanted) down to the run cgroups, one at a time: a cpu
    controller that is not delegated costs the CPU figure only, never the memory one."""
    for directory in (parent.parent, parent):
        available = (directory / "cgroup.controllers").read_text().split()
        if "memory" not in available:
            raise CgroupUnusable(f"no memory controller in {directory} (cgroup.controllers: {' '.join(available) or 'none'})")
        for controller in ("memory", "cpu"):
            if controller in (directory / "cgroup.subtree_control").read_text().split():
                continue
            try:
                (directory / "cgroup.subtree_control").write_text(f"+{controller}")
            except OSError:
                if controller == "memory":
                    raise


def present(root: Path) -> bool:
    """Whether ``root`` is a cgroup2 mount."""
    return (root / "cgroup.controllers").exists()
