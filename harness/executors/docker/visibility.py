"""Seeing a container from the host: where its cgroup is, and its processes, for the RSS sampler.

The harness sees them when it runs on the host, or in a container with ``pid: host`` and the
host's /sys/fs/cgroup mounted at /host/sys/fs/cgroup (as docker-compose.yml does); elsewhere it
records the container's own cgroup figures only, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.measure.cgroup import Cgroup, existing

CGROUP_ROOTS = (Path("/sys/fs/cgroup"), Path("/host/sys/fs/cgroup"))


@dataclass(frozen=True)
class Visibility:
    """Where this harness finds a container's cgroup (a path template), or why it cannot."""

    version: int | None
    template: str  # the cgroup directory with "{id}" in place of the container id
    reason: str

    @property
    def available(self) -> bool:
        return bool(self.template)

    def directory(self, container_id: str) -> Path:
        return Path(self.template.format(id=container_id))

    def describe(self) -> str:
        if self.available:
            return f"from the host: {self.template.format(id='<container>')}/cgroup.procs, each process's /proc/<pid>/stat"
        return f"unavailable ({self.reason}); cgroup figures only"


def find_cgroup(container_id: str, pid: int, roots=CGROUP_ROOTS) -> Visibility:
    """Find the memory cgroup of a running container whose init has host ``pid``."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        lines = []
    if not any(container_id in line for line in lines):
        return Visibility(None, "", "the container's processes are not visible here: run the harness on the host, "
                                    "or give its container pid: host")
    candidates = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "" and not path.startswith("/.."):
            candidates += [(2, root / path.lstrip("/")) for root in roots]
        elif "memory" in controllers.split(","):
            candidates += [(1, root / controllers / path.lstrip("/")) for root in roots]
    for root in roots:  # the usual places, for a harness in its own cgroup namespace
        candidates += [(1, root / "memory" / "docker" / container_id),
                       (1, root / "memory" / "system.slice" / f"docker-{container_id}.scope"),
                       (2, root / "docker" / container_id), (2, root / "system.slice" / f"docker-{container_id}.scope")]
    for version, directory in candidates:
        try:
            pids = (directory / "cgroup.procs").read_text().split()
        except OSError:
            continue
        if str(pid) in pids:
            return Visibility(version, str(directory).replace(container_id, "{id}"), "")
    return Visibility(None, "", "the container's cgroup is not visible here: mount the host's /sys/fs/cgroup "
                                "(read-only) at /host/sys/fs/cgroup")


class ContainerCgroup:
    """A container's cgroup seen from the host, shaped as the TreeSampler expects (pids, anon_bytes).

    The container's first process is the wrapper shell: it is left out, so that the RSS sum is the
    program's tree alone, as natively.
    """

    def __init__(self, directory: Path, version: int):
        self.directory, self.version = directory, version
        self.memory: Cgroup = existing(directory, version)  # its memory files, read as its version keeps them
        self._wrapper: int | None = None

    def pids(self) -> list[int]:
        try:
            pids = [int(p) for p in (self.directory / "cgroup.procs").read_text().split()]
        except OSError:
            return []
        if self._wrapper is None and pids:
            self._wrapper = _outside_parent(pids)
        return [pid for pid in pids if pid != self._wrapper]

    def anon_bytes(self) -> int:
        return self.memory.anon_bytes()

    def reset_peak(self) -> bool:
        """Restart the peak from the current usage (v1, where the host's cgroup is writable)."""
        return self.memory.reset_peak()

    def peak_bytes(self) -> int | None:
        try:
            return self.memory.peak_bytes()
        except (OSError, ValueError):  # the container has gone
            return None

    def cpu_s(self) -> float:
        """The container's CPU seconds so far, from its cgroup (a server window's CPU, exited threads
        included): cpuacct.usage where CPU has a hierarchy of its own beside the memory one (v1),
        else the CPU counter beside the memory files (one unified hierarchy)."""
        parts = list(self.directory.parts)
        if "memory" not in parts:
            return self.memory.cpu_s()
        parts[parts.index("memory")] = "cpuacct"  # <root>/memory/docker/<id> -> <root>/cpuacct/docker/<id>
        return int((Path(*parts) / "cpuacct.usage").read_text()) / 1e9


def _outside_parent(pids: list) -> int | None:
    """The process whose parent is outside the set: the container's first process."""
    inside = set(pids)
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid not in inside:
            return pid
    return None
