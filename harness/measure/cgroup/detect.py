"""Which cgroups this harness may create here (``detect``), and the runs' cgroups made from that.

The choice of version is made here once; a ``Support`` then creates run cgroups of that version,
or none (the sampling fallback), and names its memory method, so that no caller looks at the version.
"""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from harness.measure.cgroup import v1, v2
from harness.measure.cgroup.base import Cgroup, read_lines, remove_dir
from harness.measure.cgroup.none import NoCgroup
from harness.measure.cgroup.v2 import CgroupUnusable

ROOT = Path("/sys/fs/cgroup")
PARENT = "runtime-lab"
VERSIONS: dict[int, type[Cgroup]] = {1: v1.CgroupV1, 2: v2.CgroupV2}
IMPLEMENTATIONS: dict[int | None, type[Cgroup] | type[NoCgroup]] = {1: v1.CgroupV1, 2: v2.CgroupV2, None: NoCgroup}


@dataclass(frozen=True)
class Support:
    """Whether this harness may create cgroups, and how."""

    version: int | None  # 1, 2 or None
    parents: dict[str, Path] = field(default_factory=dict)  # controller -> the directory new cgroups go under
    reason: str = ""  # why not, when version is None
    memory_limit_bytes: int | None = None  # a cap on every run's memory, swap included (--memory-limit)

    @property
    def available(self) -> bool:
        """Whether runs get a cgroup of their own."""
        return self.version is not None

    @property
    def method(self) -> str:
        """How runs' memory is measured: "cgroup-v1", "cgroup-v2" or "sampled"."""
        return IMPLEMENTATIONS[self.version].method

    def create(self) -> Cgroup | None:
        """A new run cgroup, or None where there is none to have (the run is then sampled)."""
        return IMPLEMENTATIONS[self.version].create(self.parents, self.memory_limit_bytes)


def existing(memory_dir: Path, version: int) -> Cgroup:
    """A memory cgroup that exists already (a container's, found by its version), for its memory figures."""
    return VERSIONS[version].at(memory_dir)


def detect(root: Path = ROOT) -> Support:
    """Find out whether runs can get cgroups of their own here, and under which parents."""
    if v1.present(root):
        found = Support(None)
        for parents in v1.candidate_parents(root, PARENT):
            found = _try_parents(1, parents)
            if found.available:
                break
        return found
    if v2.present(root):
        return _try_parents(2, {"unified": v2.parent_beside_own(root, PARENT)})
    return Support(None, {}, "no cgroup filesystem at /sys/fs/cgroup")


def _try_parents(version: int, parents: dict[str, Path]) -> Support:
    """Create the parents and prove a run cgroup works there: a real process moved in and out."""
    parent = next(iter(parents.values()))
    try:
        for parent in parents.values():
            parent.mkdir(exist_ok=True)
            if version == 2:
                v2.enable_controllers(parent)
        _move_a_process_through(parents)
    except (OSError, CgroupUnusable) as error:
        why = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return Support(None, {}, f"cannot use cgroups under {parent}: {why} (run as root or delegate a cgroup v2 "
                                 f"subtree with the memory controller); peak memory is sampled instead")
    for parent in parents.values():
        remove_stale(parent)
    return Support(version, parents, "")


def _move_a_process_through(parents: dict[str, Path]) -> None:
    """Make a probe cgroup under each parent, move a short-lived child into it, check it is listed
    there, then end the child and remove the probe: what every run will do, done once up front."""
    name = f"probe-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    probes = [parent / name for parent in parents.values()]
    child = subprocess.Popen(["sleep", "5"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        for probe in probes:
            probe.mkdir()
            (probe / "cgroup.procs").write_text(str(child.pid))
            if str(child.pid) not in read_lines(probe / "cgroup.procs"):
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
        for line in read_lines(directory / "cgroup.procs"):
            try:
                os.kill(int(line), signal.SIGKILL)
            except (ProcessLookupError, ValueError, PermissionError):
                pass
        if remove_dir(directory):
            removed.append(directory)
    return removed


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
