"""A fresh cgroup per run, for exact peak memory and CPU time of a whole process tree.

cgroup v1 (``memory`` and ``cpuacct`` hierarchies) and v2 (a writable subtree with the memory
controller) are both handled. The kernel keeps the peak itself, so it costs nothing while the
program runs and misses no short spike. ``detect()`` says whether this harness may create cgroups.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PARENT = "runtime-lab"


@dataclass(frozen=True)
class CgroupReading:
    """What a run's cgroup recorded once the run is over."""

    method: str  # "cgroup-v1" or "cgroup-v2"
    peak_bytes: int | None  # highest memory charged: anonymous + page cache + kernel, every process
    file_bytes: int  # page cache (file pages) still charged at the end, included in the peak
    cpu_s: float  # user + system CPU time of every process that ran in it
    oom_kills: int  # processes the kernel's OOM killer ended inside it


@dataclass(frozen=True)
class Support:
    """Whether this harness may create cgroups, and how."""

    version: int | None  # 1, 2 or None
    parents: dict  # controller -> the directory new cgroups go under
    reason: str  # why not, when version is None
    memory_limit_bytes: int | None = None  # a cap on every run's memory, swap included (--memory-limit)

    @property
    def available(self) -> bool:
        return self.version is not None


def detect(root: Path = ROOT) -> Support:
    """Find out whether runs can get cgroups of their own here.

    On v1 they nest under the cgroup this harness itself runs in, so that a supervisor's memory
    limit, CPU share or kill reaches the programs too; the top of the hierarchy is the fallback.
    """
    if (root / "memory" / "cgroup.procs").exists() and (root / "cpuacct").exists():
        own = _own_v1_paths()
        # The freezer, where mounted, lets kill_all stop a forking tree before killing it.
        controllers = ("memory", "cpuacct") + (("freezer",) if (root / "freezer" / "cgroup.procs").exists() else ())
        nested = {c: root / c / own.get(c, "/").lstrip("/") / PARENT for c in controllers}
        found = _try_parents(1, nested)
        if found.available or nested == {c: root / c / PARENT for c in nested}:
            return found
        return _try_parents(1, {c: root / c / PARENT for c in controllers})
    if (root / "cgroup.controllers").exists():
        return _try_parents(2, {"unified": _v2_parent(root)})
    return Support(None, {}, "no cgroup filesystem at /sys/fs/cgroup")


def _own_v1_paths() -> dict:
    """controller -> the v1 cgroup path this process is in (``4:memory:/a/b`` gives memory: /a/b)."""
    found = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(","):
            found[controller] = path
    return found


def _v2_parent(root: Path) -> Path:
    """Beside the cgroup this harness runs in (v2 lets a cgroup with processes have no controlled
    children): inside the same parent, so a supervisor's limits on it reach the runs; the root
    when the harness runs at the top."""
    own = "/"
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        if line.startswith("0::"):
            own = line[3:]
    base = root if own in ("/", "") else root / own.lstrip("/") / ".."
    return base.resolve() / PARENT


def _try_parents(version: int, parents: dict) -> Support:
    """Create the parents and prove a run cgroup works there: a real process moved in and out."""
    parent = next(iter(parents.values()))
    try:
        for parent in parents.values():
            parent.mkdir(exist_ok=True)
            if version == 2:
                _enable_v2_controllers(parent)
        _move_a_process_through(parents)
    except (OSError, CgroupUnusable) as error:
        why = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return Support(None, {}, f"cannot use cgroups under {parent}: {why} (run as root or delegate a cgroup v2 "
                                 f"subtree with the memory controller); peak memory is sampled instead")
    for parent in parents.values():
        remove_stale(parent)
    return Support(version, parents, "")


class CgroupUnusable(Exception):
    """A cgroup tree this harness can create directories in, but not run programs in."""


def _move_a_process_through(parents: dict) -> None:
    """Make a probe cgroup under each parent, move a short-lived child into it, check it is listed
    there, then end the child and remove the probe: what every run will do, done once up front."""
    name = f"probe-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    probes = [parent / name for parent in parents.values()]
    child = subprocess.Popen(["sleep", "5"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        for probe in probes:
            probe.mkdir()
            (probe / "cgroup.procs").write_text(str(child.pid))
            if str(child.pid) not in _read_lines(probe / "cgroup.procs"):
                raise CgroupUnusable(f"a process moved into {probe} is not listed there")
    finally:
        child.kill()
        child.wait()
        for probe in probes:
            remove_dir(probe)


def remove_stale(parent: Path) -> list[Path]:
    """Kill what is left in, and remove, the run cgroups of harnesses that are gone (a SIGKILL, a crash)."""
    removed = []
    for directory in parent.glob("run-*-*"):
        try:
            owner = int(directory.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if _alive(owner):
            continue
        for line in _read_lines(directory / "cgroup.procs"):
            try:
                os.kill(int(line), signal.SIGKILL)
            except (ProcessLookupError, ValueError, PermissionError):
                pass
        if remove_dir(directory):
            removed.append(directory)
    return removed


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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_lines(path: Path) -> list:
    try:
        return path.read_text().split()
    except OSError:
        return []


def _enable_v2_controllers(parent: Path) -> None:
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


class RunCgroup:
    """One run's cgroup: join it before exec, list its processes, read it, kill it, remove it."""

    def __init__(self, support: Support):
        name = f"run-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.version = support.version
        self.dirs = {controller: parent / name for controller, parent in support.parents.items()}
        for directory in self.dirs.values():
            directory.mkdir()
        if support.memory_limit_bytes:
            self._limit_memory(support.memory_limit_bytes)

    def _limit_memory(self, limit: int) -> None:
        """Cap memory with no swap beyond it, as ``docker run --memory`` does; over it the OOM killer ends the run."""
        if self.version == 1:
            names = [("memory.limit_in_bytes", limit), ("memory.memsw.limit_in_bytes", limit)]
        else:
            names = [("memory.max", limit), ("memory.swap.max", 0)]
        for name, value in names:
            path = self.memory_dir / name
            if path.exists():  # memsw and swap.max exist only where swap accounting is on
                path.write_text(str(value))

    @property
    def memory_dir(self) -> Path:
        return self.dirs["memory" if self.version == 1 else "unified"]

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

    def anon_bytes(self) -> int:
        """Anonymous memory charged now (heap, stacks), without page cache."""
        return anon_bytes(self.memory_dir, self.version)

    def read(self) -> CgroupReading:
        """The peak, the file pages, the CPU time and OOM kills of the whole run."""
        stat = read_counters(self.memory_dir / "memory.stat")
        if self.version == 1:
            peak = memory_peak(self.memory_dir, 1)
            cpu_s = int((self.dirs["cpuacct"] / "cpuacct.usage").read_text()) / 1e9
            oom = read_counters(self.memory_dir / "memory.oom_control").get("oom_kill", 0)
            return CgroupReading("cgroup-v1", peak, stat.get("cache", 0), cpu_s, oom)
        peak = memory_peak(self.memory_dir, 2)
        cpu_s = read_counters(self.memory_dir / "cpu.stat").get("usage_usec", 0) / 1e6
        oom = read_counters(self.memory_dir / "memory.events").get("oom_kill", 0)
        method = "cgroup-v2" if peak is not None else "cgroup-v2, no memory.peak (peak sampled)"
        return CgroupReading(method, peak, stat.get("file", 0), cpu_s, oom)

    def cpu_s(self) -> float:
        """CPU seconds used so far by every process that ran in the cgroup (exited ones included)."""
        if self.version == 1:
            return int((self.dirs["cpuacct"] / "cpuacct.usage").read_text()) / 1e9
        return read_counters(self.memory_dir / "cpu.stat").get("usage_usec", 0) / 1e6

    def reset_peak(self) -> bool:
        """Restart the peak from the current usage (v1 only); False where the kernel cannot."""
        return reset_memory_peak(self.memory_dir, self.version)

    def peak_bytes(self) -> int:
        """The highest memory charged so far (since the last reset_peak)."""
        return memory_peak(self.memory_dir, self.version)

    def kill_all(self) -> None:
        """SIGKILL every process still inside, until none is left: at once with cgroup.kill (v2),
        else frozen first where the v1 freezer is mounted, so a forking tree cannot outrun the kill."""
        if not self.pids():
            return  # the usual end of a run: nothing to freeze or kill
        kill_file = self.memory_dir / "cgroup.kill"
        if self.version == 2 and kill_file.exists():
            with contextlib.suppress(OSError):
                kill_file.write_text("1")
        if self._freeze():
            try:
                self._signal_listed()  # frozen, none of them can fork meanwhile
            finally:
                with contextlib.suppress(OSError):
                    (self.dirs["freezer"] / "freezer.state").write_text("THAWED")  # the killed then die
        for _ in range(100):
            if not self._signal_listed():
                return
            time.sleep(0.01)

    def _freeze(self) -> bool:
        """Freeze the v1 freezer cgroup and wait (briefly) until it is; False without a freezer."""
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

    def _signal_listed(self) -> int:
        """SIGKILL every process listed in the cgroup now; how many were listed."""
        pids = self.pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return len(pids)

    def remove(self) -> None:
        """Delete the cgroup (after its processes are gone); its page cache moves to the parent."""
        self.kill_all()
        for directory in self.dirs.values():
            remove_dir(directory)


def read_counters(path: Path) -> dict:
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


def anon_bytes(memory_dir: Path, version: int) -> int:
    """Anonymous memory charged now to a memory cgroup (heap, stacks), without page cache."""
    return read_counters(memory_dir / "memory.stat").get("rss" if version == 1 else "anon", 0)


def memory_peak(memory_dir: Path, version: int) -> int | None:
    """A memory cgroup's peak: memory.max_usage_in_bytes (v1) or memory.peak (v2; None before
    Linux 5.19, which has no memory.peak: the sampled RSS is then the peak)."""
    try:
        return int((memory_dir / ("memory.max_usage_in_bytes" if version == 1 else "memory.peak")).read_text())
    except FileNotFoundError:
        return None


def reset_memory_peak(memory_dir: Path, version: int) -> bool:
    """Restart a memory cgroup's peak from its current usage: v1 only, and only where it is writable."""
    if version != 1:
        return False
    try:
        (memory_dir / "memory.max_usage_in_bytes").write_text("0")
    except OSError:
        return False
    return True
