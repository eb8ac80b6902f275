"""Run programs directly on this machine, each in its own process group and, where allowed, cgroup."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time

from harness import cgroup as cgroups
from harness.executors.base import Executor, RunResult
from harness.measure import DEFAULT_INTERVAL_S, TreeSampler
from harness.plan import Job
from harness.runtimes import Toolchain

OUTPUT_LIMIT = 1 << 20  # keep the last MiB of stdout/stderr


class NativeExecutor(Executor):
    """The default backend: the runtimes installed here, measured by wait4, sampling and cgroups."""

    name = "native"

    def __init__(self, toolchain: Toolchain, sample_interval_s: float = DEFAULT_INTERVAL_S, use_cgroups: bool = True):
        self.toolchain = toolchain
        self.sample_interval_s = sample_interval_s
        self.cgroups = cgroups.detect() if use_cgroups else cgroups.Support(None, {}, "disabled with --no-cgroup")

    def environment(self) -> dict:
        """The backend, the memory method and the sampling interval."""
        return {
            "backend": self.name,
            "memory_method": f"cgroup-v{self.cgroups.version}" if self.cgroups.available else "sampled",
            "cgroup_unavailable_reason": self.cgroups.reason,
            "sample_interval_s": self.sample_interval_s,
        }

    def run(self, job: Job, timeout_s: float) -> RunResult:
        """Run the job's program once; see RunResult for what is measured."""
        command, env = self.toolchain.launch(job.program, job.arguments())
        return run_measured(command, env, timeout_s, self.sample_interval_s, self.cgroups)


def run_measured(command, env, timeout_s, interval_s, support) -> RunResult:
    """Spawn ``command`` in a new process group (and cgroup), sample it, wait4 it, clean up."""
    group = cgroups.RunCgroup(support) if support.available else None
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            started = time.perf_counter()
            # No other harness thread runs during fork, so joining the cgroup in the child is safe.
            child = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                process_group=0, preexec_fn=group.join if group else None,
            )
            sampler = TreeSampler(child.pid, interval_s, group).start()
            killer = _Killer(child.pid, group, timeout_s)
            try:
                _, status, usage = _wait(child)
                ended = time.perf_counter()
            finally:
                killer.cancel()
                sampler.stop()
            leftovers = _kill_leftovers(child.pid, group)
            reading = group.read() if group else None
        finally:
            if group:
                group.remove()
        return RunResult(
            command=command,
            exit_code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            timed_out=killer.fired,
            wall_s=ended - started,
            cpu_user_s=usage.ru_utime,
            cpu_sys_s=usage.ru_stime,
            ru_maxrss_bytes=usage.ru_maxrss * 1024,
            rss_sampled_peak_bytes=sampler.peak_rss_bytes,
            threads_peak=sampler.peak_threads,
            processes_peak=sampler.peak_processes,
            ctx_voluntary=usage.ru_nvcsw,
            ctx_involuntary=usage.ru_nivcsw,
            samples=sampler.samples,
            stdout=_tail(out),
            stderr=_tail(err),
            memory_method=reading.method if reading else "sampled",
            cgroup=_cgroup_figures(reading, sampler),
            oom_killed=bool(reading and reading.oom_kills),
            leftovers=leftovers,
        )


def _wait(child: subprocess.Popen):
    """wait4 the child; on Ctrl-C kill its group first so nothing is left behind."""
    try:
        result = os.wait4(child.pid, 0)
    except BaseException:
        _kill_group(child.pid)
        result = os.wait4(child.pid, 0)
        child.returncode = -1
        raise
    child.returncode = os.waitstatus_to_exitcode(result[1])  # so Popen does not wait again
    return result


class _Killer:
    """Kills the run's process group (and cgroup) when the timeout expires."""

    def __init__(self, pid: int, group, timeout_s: float):
        self.pid, self.group, self.fired = pid, group, False
        self._timer = threading.Timer(timeout_s, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        _kill_group(self.pid)
        if self.group:
            self.group.kill_all()

    def cancel(self) -> None:
        self._timer.cancel()


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_leftovers(pgid: int, group) -> int:
    """Kill processes the program left running (in its group or cgroup); return how many."""
    survivors = set(group.pids()) if group else set()
    try:
        os.killpg(pgid, 0)
        survivors.add(pgid)  # the group still has members (the leader itself is reaped)
    except (ProcessLookupError, PermissionError):
        pass
    if survivors:
        _kill_group(pgid)
        if group:
            group.kill_all()
    return len(survivors)


def _cgroup_figures(reading, sampler: TreeSampler) -> dict:
    if reading is None:
        return {}
    return {
        "peak_bytes": reading.peak_bytes,
        "file_bytes": reading.file_bytes,
        "anon_peak_bytes": sampler.peak_anon_bytes,
        "cpu_s": reading.cpu_s,
    }


def _tail(handle) -> str:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(max(0, size - OUTPUT_LIMIT))
    return handle.read().decode("utf-8", errors="replace")
