"""What a reader needs to reproduce or judge a run: machine, kernel, runtimes and their settings."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import psutil

from harness import __version__, limits, runtimes


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
        "harness_python": platform.python_version(),
        # What bounds "thousands of threads" here (CLAIMS C9): every limit, not only the binding one.
        "thread_limits": limits.thread_limits(),
        "thread_budget": limits.thread_budget()[0],
        "runtimes": {lang: runtimes.describe(runtime) for lang, runtime in toolchain.runtimes.items()},
        "runtimes_missing": toolchain.missing,
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
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10,
            cwd=Path(__file__).resolve().parent,
        )
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def _git_dirty() -> bool | None:
    """Whether the lab's tree had uncommitted changes (None outside a git checkout)."""
    try:
        done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True,
                              timeout=10, cwd=Path(__file__).resolve().parent)
    except OSError:
        return None
    return bool(done.stdout.strip()) if done.returncode == 0 else None
