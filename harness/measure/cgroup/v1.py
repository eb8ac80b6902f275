"""cgroup v1: a run's cgroup in the ``memory`` and ``cpuacct`` hierarchies (and ``freezer``, where mounted)."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from harness.measure.cgroup.base import Cgroup, CgroupReading, read_counters, read_int


class CgroupV1(Cgroup):
    """A run's cgroup on v1: memory.max_usage_in_bytes is its peak (resettable), cpuacct.usage its CPU."""

    method = "cgroup-v1"
    memory_controller = "memory"

    def limit_memory(self, limit: int) -> None:
        """Cap memory and memory + swap at ``limit`` (memsw exists only where swap accounting is on)."""
        for name in ("memory.limit_in_bytes", "memory.memsw.limit_in_bytes"):
            path = self.memory_dir / name
            if path.exists():
                path.write_text(str(limit))

    def anon_bytes(self) -> int:
        """Anonymous memory charged now: memory.stat's ``rss``."""
        return read_counters(self.memory_dir / "memory.stat").get("rss", 0)

    def peak_bytes(self) -> int | None:
        """memory.max_usage_in_bytes."""
        return read_int(self.memory_dir / "memory.max_usage_in_bytes")

    def reset_peak(self) -> bool:
        """Write 0 to memory.max_usage_in_bytes (restarts it from the current usage), where writable."""
        try:
            (self.memory_dir / "memory.max_usage_in_bytes").write_text("0")
        except OSError:
            return False
        return True

    def cpu_s(self) -> float:
        """cpuacct.usage, in nanoseconds."""
        return int((self.dirs["cpuacct"] / "cpuacct.usage").read_text()) / 1e9

    def read(self) -> CgroupReading:
        """Peak, page cache (memory.stat's ``cache``), CPU and OOM kills (memory.oom_control's ``oom_kill``)."""
        stat = read_counters(self.memory_dir / "memory.stat")
        oom = read_counters(self.memory_dir / "memory.oom_control").get("oom_kill", 0)
        return CgroupReading(self.method, self.peak_bytes(), stat.get("cache", 0), self.cpu_s(), oom)

    def _freeze(self) -> bool:
        """Freeze the freezer cgroup and wait (briefly) until it is; False without a freezer."""
        freezer = self.dirs.get("freezer")
        if freezer is None:
            return False
        try:
            (freezer / "freezer.state").write_text("FROZEN")
            for _ in range(100):
                if (freezer / "freezer.state").read_text().strip() == "FROZEN":
                    break
                time.sleep(0.002)
        except OSError:
            return False
        return True

    def _thaw(self) -> None:
        with contextlib.suppress(OSError):
            (self.dirs["freezer"] / "freezer.state").write_text("THAWED")


def own_paths(proc_cgroup: Path = Path("/proc/self/cgroup")) -> dict[str, str]:
    """controller -> the v1 cgroup path this process is in (``4:memory:/a/b`` gives memory: /a/b)."""
    found: dict[str, str] = {}
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(","):
            found[controller] = path
    return found


def candidate_parents(root: Path, parent: str) -> list[dict[str, Path]]:
    """Where run cgroups may go, best first: under the cgroup this harness itself runs in (so that
    a supervisor's memory limit, CPU share or kill reaches the programs too), else the top of each
    hierarchy. The freezer, where mounted, lets kill_all stop a forking tree before killing it."""
    own = own_paths()
    controllers = ("memory", "cpuacct") + (("freezer",) if (root / "freezer" / "cgroup.procs").exists() else ())
    nested = {c: root / c / own.get(c, "/").lstrip("/") / parent for c in controllers}
    top = {c: root / c / parent for c in controllers}
    return [nested] if nested == top else [nested, top]


def present(root: Path) -> bool:
    """Whether ``root`` holds the v1 memory and cpuacct hierarchies."""
    return (root / "memory" / "cgroup.procs").exists() and (root / "cpuacct").exists()
