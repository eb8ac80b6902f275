"""Nothing outlives the harness, even ``kill -9``: a watchdog process that cleans up after it.

The harness starts the watchdog once, in a session of its own (so a Ctrl-C on the terminal does
not reach it), with a pipe as its standard input. Before each program, server or load generator
runs, the harness tells it the process group (``+group PID``) and the run's cgroup folders
(``+cgroup PATH``), and takes them back (``-group``/``-cgroup``) once they are cleaned up. When the
pipe ends, because the harness exited or was killed, the watchdog kills every group and every
process in every cgroup still listed, removes those cgroups, and exits: within about a second.

The watchdog is this file run as a script: it imports nothing of the harness.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import TypeVar

T = TypeVar("T")
_lock = threading.Lock()
_process: subprocess.Popen | None = None


def _tell(line: str) -> None:
    """Send one line to the watchdog, starting it the first time."""
    global _process
    with _lock:
        if _process is None or _process.poll() is not None:
            _process = subprocess.Popen([sys.executable, "-S", os.path.abspath(__file__)], stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True, close_fds=True)
        pipe = _process.stdin
        assert pipe is not None  # opened with stdin=PIPE
        try:
            pipe.write(f"{line}\n".encode())
            pipe.flush()
        except OSError:  # the watchdog died: the next line starts another
            _process = None


def pid() -> int | None:
    """The watchdog's process id, or None before it is started: it is the harness's child, never a
    program's leftover."""
    return _process.pid if _process is not None else None


def guard_group(pid: int) -> None:
    """Kill process group ``pid`` if the harness dies before ``release_group``."""
    _tell(f"+group {pid}")


def release_group(pid: int) -> None:
    """The group has been cleaned up by the harness itself."""
    _tell(f"-group {pid}")


def guard_cgroup(path) -> None:
    """Empty and remove cgroup folder ``path`` if the harness dies before ``release_cgroup``."""
    _tell(f"+cgroup {path}")


def release_cgroup(path) -> None:
    """The cgroup has been removed by the harness itself."""
    _tell(f"-cgroup {path}")


# ---------------------------------------------------------------------- the watchdog process


def _watch() -> None:
    """Read lines until the harness is gone, then clean up whatever is still listed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    groups: set[int] = set()
    cgroups: set[str] = set()
    for raw in sys.stdin.buffer:
        sign, kind, value = raw[:1], raw[1:].split(b" ", 1)[0], raw.split(b" ", 1)[-1].strip().decode()
        if kind == b"group":
            _mark(groups, sign, int(value))
        else:
            _mark(cgroups, sign, value)
    for pid in groups:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    for path in cgroups:
        _empty_and_remove(path)


def _mark(listed: set[T], sign: bytes, item: T) -> None:
    """Add ``item`` to the watched set on ``+``, drop it on ``-``."""
    if sign == b"+":
        listed.add(item)
    else:
        listed.discard(item)


def _empty_and_remove(path: str) -> None:
    """SIGKILL everything in the cgroup until it is empty, then remove it (retrying while busy)."""
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            with open(os.path.join(path, "cgroup.procs")) as handle:
                pids = [int(line) for line in handle.read().split()]
        except OSError:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.rmdir(path)
            return
        except OSError:
            time.sleep(0.02)


if __name__ == "__main__":
    _watch()
