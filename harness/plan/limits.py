"""How many more threads this machine lets one program start, and why not more."""

from __future__ import annotations

import resource
from pathlib import Path

HEADROOM = 0.9  # leave a tenth of every limit to the rest of the machine


def thread_budget() -> tuple[int, str]:
    """The most threads (or processes) one more program may start, and the limit that binds."""
    in_use = _tasks_in_use()
    limits = {
        "kernel.threads-max": _read_int("/proc/sys/kernel/threads-max"),
        "kernel.pid_max": _read_int("/proc/sys/kernel/pid_max"),
        "ulimit -u": _nproc_soft_limit(),
    }
    budgets = {name: int(limit * HEADROOM) - in_use for name, limit in limits.items() if limit}
    # Each thread maps a stack and a guard page; the map count limit is per process.
    max_maps = _read_int("/proc/sys/vm/max_map_count")
    if max_maps:
        budgets["vm.max_map_count"] = int(max_maps * HEADROOM) // 2
    name = min(budgets, key=lambda limit: budgets[limit])
    return budgets[name], f"{name} with {in_use} tasks already running"


def thread_limits() -> dict:
    """Every limit on how many threads may run here, for the environment record (None: unlimited)."""
    return {
        "kernel.threads-max": _read_int("/proc/sys/kernel/threads-max"),
        "kernel.pid_max": _read_int("/proc/sys/kernel/pid_max"),
        "ulimit -u": _nproc_soft_limit(),
        "vm.max_map_count": _read_int("/proc/sys/vm/max_map_count"),
        "cgroup pids.max": _own_pids_max(),
    }


def _own_pids_max() -> int | None:
    """The pids.max of the cgroup this harness runs in (v2, or v1's pids controller)."""
    for line in _read_text("/proc/self/cgroup").splitlines():
        hierarchy, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if hierarchy == "0" and not controllers:
            folder = Path("/sys/fs/cgroup") / path.lstrip("/")
        elif "pids" in controllers.split(","):
            folder = Path("/sys/fs/cgroup/pids") / path.lstrip("/")
        else:
            continue
        value = _read_text(folder / "pids.max").strip()
        if value:
            return None if value == "max" else int(value)
    return None


def _read_text(path) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _tasks_in_use() -> int:
    try:
        return int(Path("/proc/loadavg").read_text().split()[3].split("/")[1])
    except (OSError, IndexError, ValueError):
        return 0


def _nproc_soft_limit() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    return None if soft == resource.RLIM_INFINITY else soft


def _read_int(path: str) -> int | None:
    try:
        return int(Path(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
