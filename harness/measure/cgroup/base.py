"""What every run cgroup does, whichever cgroup version the kernel gives (v1 or v2).

``Cgroup`` is the one interface callers use: create a run's cgroup, move a process in, list its
processes, read its figures, kill what is left and remove it. ``v1.CgroupV1`` and ``v2.CgroupV2``
say where each figure lives in their version's files; nothing outside this package looks at the
version.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar


@dataclass(frozen=True)
class CgroupReading:
    """What a run's cgroup recorded once the run is over."""

    method: str  # "cgroup-v1" or "cgroup-v2"
    peak_bytes: int | None  # highest memory charged: anonymous + page cache + kernel, every process
    file_bytes: int  # page cache (file pages) still charged at the end, included in the peak
    cpu_s: float  # user + system CPU time of every process that ran in it
    oom_kills: int  # processes the kernel's OOM killer ended inside it


class Cgroup(ABC):
    """One run's cgroup: join it before exec, list its processes, read it, kill it, remove it.

    ``dirs`` maps a controller (v1: "memory", "cpuacct", "freezer"; v2: "unified") to the run's
    directory under it.
    """

    method: ClassVar[str]  # how the memory figure is measured, as the environment record names it
    memory_controller: ClassVar[str]  # the key of ``dirs`` that holds the memory files

    def __init__(self, dirs: Mapping[str, Path]):
        self.dirs = dict(dirs)

    @classmethod
    def create(cls, parents: Mapping[str, Path], memory_limit_bytes: int | None = None) -> Cgroup:
        """A new, empty run cgroup under each parent, named after this harness's pid (see remove_stale)."""
        name = f"run-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        group = cls({controller: parent / name for controller, parent in parents.items()})
        for directory in group.dirs.values():
            directory.mkdir()
        if memory_limit_bytes:
            group.limit_memory(memory_limit_bytes)
        return group

    @classmethod
    def at(cls, memory_dir: Path) -> Cgroup:
        """An existing memory cgroup (a container's, seen from the host), for its memory figures."""
        return cls({cls.memory_controller: memory_dir})

    @property
    def memory_dir(self) -> Path:
        """The directory with the memory controller's files."""
        return self.dirs[self.memory_controller]

    # ------------------------------------------------------------ what each version reads its own way

    @abstractmethod
    def limit_memory(self, limit: int) -> None:
        """Cap memory with no swap beyond it, as ``docker run --memory`` does; over it the OOM killer ends the run."""

    @abstractmethod
    def anon_bytes(self) -> int:
        """Anonymous memory charged now (heap, stacks), without page cache."""

    @abstractmethod
    def peak_bytes(self) -> int | None:
        """The highest memory charged so far (since the last reset_peak); None where the kernel keeps none."""

    @abstractmethod
    def reset_peak(self) -> bool:
        """Restart the peak from the current usage; False where the kernel cannot."""

    @abstractmethod
    def cpu_s(self) -> float:
        """CPU seconds used so far by every process that ran in the cgroup (exited ones included)."""

    @abstractmethod
    def read(self) -> CgroupReading:
        """The peak, the file pages, the CPU time and OOM kills of the whole run."""

    # ------------------------------------------------------------ the same in every version

    def add(self, pid: int) -> None:
        """Move process ``pid`` in (the program's start gate, before it execs the program)."""
        for directory in self.dirs.values():
            (directory / "cgroup.procs").write_text(str(pid))

    def pids(self) -> list[int]:
        """Every process now in the cgroup."""
        try:
            return [int(line) for line in (self.memory_dir / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def kill_all(self) -> None:
        """SIGKILL every process still inside, until none is left; the version's own means first
        (v2's cgroup.kill, v1's freezer) so that a forking tree cannot outrun the kill."""
        if not self.pids():
            return  # the usual end of a run: nothing to freeze or kill
        self._kill_at_once()
        if self._freeze():
            try:
                self._signal_listed()  # frozen, none of them can fork meanwhile
            finally:
                self._thaw()  # the killed then die
        for _ in range(100):
            if not self._signal_listed():
                return
            time.sleep(0.01)

    def remove(self) -> None:
        """Delete the cgroup (after its processes are gone); its page cache moves to the parent."""
        self.kill_all()
        for directory in self.dirs.values():
            remove_dir(directory)

    def _kill_at_once(self) -> None:
        """Kill every process inside in one step, where the version can (v2's cgroup.kill); here, none."""
        return None

    def _freeze(self) -> bool:
        """Freeze every process inside, where the version can; False where it cannot."""
        return False

    def _thaw(self) -> None:
        """Undo _freeze; here, nothing was frozen."""
        return None

    def _signal_listed(self) -> int:
        """SIGKILL every process listed in the cgroup now; how many were listed."""
        pids = self.pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return len(pids)


def read_counters(path: Path) -> dict[str, int]:
    """A ``key value`` per line file (memory.stat, cpu.stat, memory.events) as ints."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {}
    values = {}
    for line in lines:
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("-").isdigit():
            values[parts[0]] = int(parts[1])
    return values


def read_int(path: Path) -> int | None:
    """A file holding one integer (memory.peak, memory.max_usage_in_bytes); None where it does not exist."""
    try:
        return int(path.read_text())
    except FileNotFoundError:
        return None


def read_lines(path: Path) -> list[str]:
    """The whitespace-separated words of a file (cgroup.procs), none when it cannot be read."""
    try:
        return path.read_text().split()
    except OSError:
        return []


def remove_dir(directory: Path) -> bool:
    """rmdir a cgroup, retrying for a second while the kernel finishes reaping what was killed in it
    (EBUSY); True once it is gone."""
    for _ in range(100):
        try:
            directory.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError:
            time.sleep(0.01)
    return False
