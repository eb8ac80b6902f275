"""What a reader needs to reproduce or judge a run: machine, kernel, runtimes and their settings."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import psutil

from harness import __version__, runtimes
from harness.paths import REPO
from harness.plan import limits


def collect(toolchain, executor) -> dict:
    """The environment record stored at the top of every results file."""
    return {
        "host": platform.node(),
        "cpu_model": _cpu_model(),
        "cores_logical": os.cpu_count(),
        "cores_available": len(os.sched_getaffinity(0)),
        "memory_total_bytes": psutil.virtual_memory().total,
        "kernel": platform.release(),
        "os": _os_name(),
        "harness_version": __version__,
        "lab_commit": _git_commit(),
        "lab_tree_dirty": _git_dirty(),
        "in_container": Path("/.dockerenv").exists(),
        "load_before": _load_average(),
        "cpu_governor": _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor") or "not exposed (a VM, or no cpufreq)",
        "smt": _smt(),
        "swap_total_bytes": psutil.swap_memory().total,
        "harness_cgroup_limits": cgroup_limits(),
        "harness_python": platform.python_version(),
        # What bounds "thousands of threads" here (CLAIMS C9): every limit, not only the binding one.
        "thread_limits": limits.thread_limits(),
        "thread_budget": limits.thread_budget()[0],
        "runtimes": {lang: runtimes.describe(runtime) for lang, runtime in toolchain.runtimes.items()},
        "runtimes_missing": toolchain.missing,
        # A run of several versions of one language: each by its tag (the first is in "runtimes").
        "runtime_versions": {lang: {r.tag: runtimes.describe(r) for r in toolchain.versions[lang]} for lang in toolchain.tags()},
        # Last: a backend may describe the runtimes itself (docker: those inside its images).
        **executor.environment(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.system()


def _git_commit() -> str:
    """The lab's commit: from git, else read from the .git folder (the harness image has no git)."""
    here = REPO
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10, cwd=here)
        if done.stdout.strip():
            return done.stdout.strip()
    except OSError:
        pass
    return commit_from_files(here / ".git") or "unknown"


def commit_from_files(git: Path) -> str:
    """The short commit id HEAD names, read from a .git folder's files; "" when it cannot be read."""
    head = _read(git / "HEAD")
    if not head.startswith("ref: "):
        return head[:7]
    ref = head[len("ref: "):]
    found = _read(git / ref)
    if not found:  # a packed ref: "<sha> <ref>" lines
        found = next((line.split()[0] for line in _read(git / "packed-refs").splitlines()
                      if line.endswith(" " + ref)), "")
    return found[:7]


def _git_dirty() -> bool | None:
    """Whether the lab's tree had uncommitted changes (None outside a git checkout)."""
    try:
        done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True,
                              timeout=10, cwd=REPO)
    except OSError:
        return None
    return bool(done.stdout.strip()) if done.returncode == 0 else None


def finish(environment: dict) -> dict:
    """What changes over a run, recorded at its end: the load average after it."""
    return {**environment, "load_after": _load_average()}


def _load_average() -> list:
    return [round(value, 2) for value in os.getloadavg()]


def _read(path) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def _smt() -> str:
    control, active = _read("/sys/devices/system/cpu/smt/control"), _read("/sys/devices/system/cpu/smt/active")
    if not control:
        return "not exposed"
    return f"{control}, {'active' if active == '1' else 'inactive'}"


def cgroup_limits() -> dict:
    """The memory, CPU and cpuset limits of the cgroup this harness runs in (v2 or v1)."""
    limits = {}
    for line in _read("/proc/self/cgroup").splitlines():
        hierarchy, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        path = path.lstrip("/")
        if hierarchy == "0" and not controllers:  # cgroup v2
            folder = Path("/sys/fs/cgroup") / path
            limits.update({"memory.max": _read(folder / "memory.max"), "cpu.max": _read(folder / "cpu.max"),
                           "cpuset.cpus.effective": _read(folder / "cpuset.cpus.effective")})
        elif "memory" in controllers.split(","):
            limit = _read(Path("/sys/fs/cgroup/memory") / path / "memory.limit_in_bytes")
            limits["memory.limit_in_bytes"] = "max" if limit and int(limit) >= 2**62 else limit
        elif "cpu" in controllers.split(","):
            folder = Path("/sys/fs/cgroup") / controllers / path
            limits["cpu.cfs_quota_us"] = _read(folder / "cpu.cfs_quota_us")
    return {key: value for key, value in limits.items() if value}
