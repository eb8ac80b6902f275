"""Run programs directly on this machine, each in its own process group and, where allowed, cgroup."""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import os
import select
import signal
import socket
import subprocess
import threading
import time

from harness.errors import GeneratorError, UsageError
from harness.executors.base import Executor, Failure, RunResult, not_run
from harness.executors.selfcheck import fixed_cost
from harness.measure import cgroup as cgroups
from harness.measure import watchdog
from harness.measure.capture import Capture
from harness.measure.loadgen import HostHelpers, run_pinned
from harness.measure.machine import machine_cpu, others_during
from harness.measure.peaks import headline_peak, own_high_water_mark, reset_own_high_water_mark
from harness.measure.sampler import DEFAULT_INTERVAL_S, TreeSampler, Window, children_of
from harness.plan.jobs import Job
from harness.results.model import Status
from harness.runtimes import command_programs
from harness.runtimes.toolchain import Toolchain

PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
STOP_GRACE_S = 5.0
LEFTOVER_GRACE_S = 1.0  # as the container wrapper waits (containers.WRAPPER)
MAX_POLL_S = 86400.0  # poll() takes at most 2**31 ms: a longer timeout is waited in parts
# The gate a program is started through: a shell that says it is ready on its stdin (one end of a
# socket pair), waits there for the word to go, and only then replaces itself with the program
# (same pid, stdin from /dev/null). Forking the harness, joining the cgroup, pinning the CPUs and
# starting the sampler all happen while it waits, so the measured interval is the program's own.
GATE = ["/bin/sh", "-c", 'printf r >&0 && read -r _ && exec "$@" </dev/null', "gate"]


class NativeExecutor(Executor):
    """The default backend: the runtimes installed here, measured by wait4, sampling and cgroups."""

    name = "native"

    def __init__(self, toolchain: Toolchain, sample_interval_s: float = DEFAULT_INTERVAL_S, use_cgroups: bool = True,
                 memory_limit_bytes: int | None = None):
        self.toolchain = toolchain
        self.sample_interval_s = sample_interval_s
        self.cgroups = cgroups.detect() if use_cgroups else cgroups.Support(None, {}, "disabled with --no-cgroup")
        if memory_limit_bytes:
            if not self.cgroups.available:
                raise UsageError(f"--memory-limit needs a cgroup per run, and there is none: {self.cgroups.reason}")
            self.cgroups = dataclasses.replace(self.cgroups, memory_limit_bytes=memory_limit_bytes)
        self.subreaper = become_subreaper()
        self._fixed_cost: dict | None = None
        self.helpers = HostHelpers()

    def environment(self) -> dict:
        """The backend, the memory method and the sampling interval."""
        return {
            "backend": self.name,
            "memory_method": self.cgroups.method,
            "cgroup_unavailable_reason": self.cgroups.reason,
            "run_cgroups_under": {c: str(p) for c, p in self.cgroups.parents.items()},
            "memory_limit_bytes": self.cgroups.memory_limit_bytes,
            "sample_interval_s": self.sample_interval_s,
            "orphans": "adopted by the harness (child subreaper), killed and counted" if self.subreaper
                       else "not adopted: prctl(PR_SET_CHILD_SUBREAPER) failed",
            "harness_fixed_cost": self.fixed_cost(),
        }

    def fixed_cost(self) -> dict:
        """What the lab adds to a run's wall time on this machine (selfcheck.py), measured once."""
        if self._fixed_cost is None:
            self._fixed_cost = fixed_cost(
                lambda argv: run_measured(argv, None, 30.0, self.sample_interval_s, self.cgroups).wall_s)
        return self._fixed_cost

    def run(self, job: Job, timeout_s: float, extra_args=None, cpus=None, beside=None) -> RunResult:
        """Run the job's program once; see RunResult for what is measured.

        ``beside``: a server it talks to (a client's fixture); natively they share this machine's network.
        """
        if job.program.build and command_programs.build_key(job.program) in self.toolchain.build_failures:
            build_command, why = self.toolchain.build_failures[command_programs.build_key(job.program)]
            return not_run(build_command, Failure(Status.FAILED, why))
        command, env = self.toolchain.launch(job.program, {**job.arguments(), **(extra_args or {})})
        whole = job.program.checksum not in ("", "none")  # a command program's output is its answer
        return run_measured(command, env, timeout_s, self.sample_interval_s, self.cgroups, cpus, cwd=job.program.cwd,
                            whole_stdout=whole, counts_workers=bool(job.program.parallel))

    def start(self, job: Job, arguments: dict, cpus=None) -> NativeServer:
        """Start the job's program as a server with exactly ``arguments``; the caller stops it."""
        command, env = self.toolchain.launch(job.program, arguments)
        return NativeServer(Spawned(command, env, self.cgroups, self.sample_interval_s, cpus,
                                    counts_workers=bool(job.program.parallel)))

    def start_helper(self, name, arguments: list, cpus=None) -> NativeServer:
        """Start a server of the harness's own (a fixture, the ceiling server), measured the same way."""
        argv = self.helpers.argv(name)
        if argv is None:
            raise GeneratorError(f"{name} is not installed here")
        command = argv + list(arguments)
        return NativeServer(Spawned(command, None, self.cgroups, self.sample_interval_s, cpus))

    def neighbour(self, server, cpus=None) -> LocalNeighbour:
        """Where helpers that talk to ``server`` run (probe, load generator): here, pinned to ``cpus``."""
        return LocalNeighbour(self.helpers, cpus)


class LocalNeighbour:
    """Runs helper programs on this machine, pinned to their own CPUs."""

    def __init__(self, helpers: HostHelpers, cpus=None):
        self.helpers, self.cpus = helpers, cpus

    def run(self, name: str, arguments: list, timeout_s: float) -> tuple[str, int, float]:
        """Run helper ``name`` to its end; (stdout + stderr, exit code, CPU seconds)."""
        argv = self.helpers.argv(name)
        if argv is None:
            raise GeneratorError(f"{name} is not installed here")
        return run_pinned(argv + list(arguments), timeout_s, self.cpus)

    def close(self) -> None:
        """Nothing to release: each helper has ended when run returns."""


def run_measured(command, env, timeout_s, interval_s, support, cpus=None, cwd=None, whole_stdout=False,
                 counts_workers=False) -> RunResult:
    """Spawn ``command`` in a new process group (and cgroup), sample it, wait4 it, clean up.

    ``counts_workers``: the run's sampled thread and process counts decide its status (a parallel
    variant must be seen running its workers, analyse/verify.py), so it is sampled at the usual
    interval throughout, never the wider one of a calm tree (measure/sampler.py)."""
    spawned = Spawned(command, env, support, interval_s, cpus, cwd, whole_stdout, counts_workers)
    spawned.batch = True  # alone on its CPUs: what the rest of the machine did meanwhile is counted
    return _wait_or_kill(spawned, timeout_s)


def _wait_or_kill(spawned: Spawned, timeout_s: float) -> RunResult:
    """Wait for the program, killing its group and cgroup if it outlives ``timeout_s``; on Ctrl-C
    (however early) kill and reap everything it started before the interrupt goes on."""
    killer, timed_out = None, False
    try:
        if spawned.end is not None:  # a pidfd: wait in poll() here, no timer thread beside the program
            timed_out = not _ended_within(spawned.end, timeout_s)
            if timed_out:
                spawned.kill()
            else:
                spawned.note_end()  # before wait4: reaping the process is the harness's work, not the program's
        else:
            killer = _Killer(spawned, timeout_s)
        status, usage = spawned.wait()
    except BaseException:
        spawned.abort()
        raise
    finally:
        if killer:
            killer.cancel()
    return spawned.finish(status, usage, timed_out=killer.fired if killer else timed_out)


class Spawned:
    """A program started in its own process group (and cgroup, and CPUs), watched by a sampler."""

    def __init__(self, command, env, support, interval_s, cpus=None, cwd=None, whole_stdout=False, counts_workers=False):
        self.command = command
        self.cpus = cpus
        self.counts_workers = counts_workers
        self.group: cgroups.Cgroup | None = support.create()  # None: no cgroup here, the tree is sampled
        self.children_before = harness_children()  # any other is the program's, or an orphan of it
        self.out, self.err = Capture(whole=whole_stdout), Capture()
        self.child = self.sampler = self.ended = None
        self.end: int | None = None  # the program's pidfd, readable once it has exited
        self.started = self.harness_cpu_before = 0.0
        self.harness_cpu_s = self.inherited_bytes = 0
        self.machine_before = self.machine_after = None
        self.batch = False  # a server shares the machine with its load generator: not counted
        self.aborted = False
        try:
            self._start(command, env, support, interval_s, cwd)
        except BaseException:  # a failed start, or a Ctrl-C while the program was starting
            self.abort()
            raise

    def _start(self, command, env, support, interval_s, cwd) -> None:
        """Start the gate, put it in its cgroup and on its CPUs, start the sampler, then let the
        program exec: the clock starts at that moment (see GATE)."""
        here, there = socket.socketpair()
        reset_own_high_water_mark()  # what the program inherits at exec is what the harness holds now
        try:
            self.child = subprocess.Popen(GATE + list(command), stdin=there.fileno(), stdout=self.out.write_fd,
                                          stderr=self.err.write_fd, env=env, cwd=cwd, process_group=0)
            there.close()
            watchdog.guard_group(self.child.pid)
            with contextlib.suppress(OSError, AttributeError):  # Linux < 5.3: a timer thread instead
                self.end = os.pidfd_open(self.child.pid)
            if self.group:
                for directory in self.group.dirs.values():
                    watchdog.guard_cgroup(directory)
                self.group.add(self.child.pid)
            if self.cpus:
                os.sched_setaffinity(self.child.pid, self.cpus)
            self.out.started()
            self.err.started()
            self.sampler = TreeSampler(self.child.pid, interval_s, self.group,
                                       gate="\0".join(GATE).encode()).start(paused=True)
            # What the program inherits at exec as its high-water mark (see measure/peaks.py).
            self.inherited_bytes = own_high_water_mark()
            # Above it, sampling a calm tree less often costs the headline nothing; a run whose workers
            # must be seen is sampled at the usual interval throughout (a short burst of threads).
            self.sampler.exact_above = None if self.counts_workers else self.inherited_bytes
            if here.recv(1) != b"r":
                raise OSError("the program's start gate (/bin/sh) did not start")
            # The gate's sample (its files opened, the cgroup listed) and the sampler thread's wake
            # to start its clock happen before the program's clock starts.
            self.sampler.sample()
            self.sampler.go()
            self.machine_before = machine_cpu()
            self.harness_cpu_before = time.process_time()
            self.started = time.perf_counter()
            here.sendall(b"go\n")
        finally:
            here.close()
            there.close()

    @property
    def pid(self) -> int:
        return self.child.pid

    def wait(self, timeout_s: float | None = None):
        """wait4 the child (status, rusage); the caller aborts on Ctrl-C (see _wait_or_kill)."""
        _, status, usage = os.wait4(self.pid, 0)
        self.note_end()
        self.machine_after = machine_cpu()
        self.child.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        return status, usage

    def note_end(self) -> None:
        """The program has exited: stop its clock and the count of the harness's CPU, once."""
        if self.ended is None:
            self.ended = time.perf_counter()
            self.harness_cpu_s = time.process_time() - self.harness_cpu_before

    def alive(self) -> bool:
        """True while the program has not exited (a zombie counts as exited)."""
        return _running(self.pid)

    def abort(self) -> None:
        """Nothing to measure any more (Ctrl-C, a failed start): kill and reap every process the
        program started, in its group, its cgroup or orphaned, and release pipes, sampler and
        cgroup. Safe at any point of the start and to call twice."""
        if self.aborted:
            return
        self.aborted = True
        if self.child is not None:
            self.kill()
        started = harness_children() - set(self.children_before)  # the leader too, even before Popen returned
        for pid in started:
            _signal_group(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if self.group:
            self.group.kill_all()
        _reap(started)
        if self.child is not None:
            self.child.returncode = -1  # reaped here: Popen must not wait for it again
        if self.sampler:
            self.sampler.stop()
        self.out.abandon()
        self.err.abandon()
        self._close()

    def kill(self) -> None:
        """SIGKILL the process group and everything in the cgroup."""
        _signal_group(self.pid, signal.SIGKILL)
        if self.group:
            self.group.kill_all()

    def finish(self, status, usage, timed_out: bool) -> RunResult:
        """Stop sampling, kill leftovers, read the cgroup, clean up, and build the RunResult."""
        self.sampler.stop()
        try:
            leftovers = _kill_leftovers(self.pid, self.group, self.children_before)
            self.out.finish()  # every writer is gone now: the pipes reach their end
            self.err.finish()
            reading = self.group.read() if self.group else None
            others = steal = None
            if self.batch and self.machine_before and self.machine_after:
                own_cpu_s = reading.cpu_s if reading else usage.ru_utime + usage.ru_stime
                others, steal = others_during(self.machine_before, self.machine_after, own_cpu_s, self.harness_cpu_s)
            peak = headline_peak(usage.ru_maxrss * 1024, self.inherited_bytes, self.sampler.peak_hwm_bytes,
                                 self.sampler.peak_pss_bytes, self.sampler.peak_processes)
            return RunResult(
                command=self.command,
                exit_code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                timed_out=timed_out,
                wall_s=(self.ended or time.perf_counter()) - self.started,
                cpu_user_s=usage.ru_utime,
                cpu_sys_s=usage.ru_stime,
                ru_maxrss_bytes=usage.ru_maxrss * 1024,
                rss_sampled_peak_bytes=self.sampler.peak_rss_bytes,
                threads_peak=self.sampler.peak_threads,
                processes_peak=self.sampler.peak_processes,
                ctx_voluntary=usage.ru_nvcsw,
                ctx_involuntary=usage.ru_nivcsw,
                samples=self.sampler.samples,
                stdout=self.out.text(),
                stderr=self.err.text(),
                output_dropped_bytes=self.out.dropped,
                memory_method=reading.method if reading else "sampled",
                cgroup=_cgroup_figures(reading, self.sampler),
                oom_killed=bool(reading and reading.oom_kills),
                leftovers=leftovers,
                peak_memory_bytes=peak.bytes,
                peak_memory_method=peak.method,
                pss_sampled_peak_bytes=self.sampler.peak_pss_bytes or None,
                harness_cpu_s=self.harness_cpu_s,
                other_cpu_s=others,
                steal_s=steal,
            )
        finally:
            self._close()

    def stdout_so_far(self) -> str:
        """What the program has printed on stdout until now."""
        return self.out.text()

    def stderr_tail(self) -> str:
        """The end of what the program has printed on stderr until now."""
        return self.err.tail_text()

    def _close(self) -> None:
        if self.end is not None:
            os.close(self.end)
            self.end = None
        if self.group:
            self.group.remove()
            for directory in self.group.dirs.values():
                watchdog.release_cgroup(directory)
            self.group = None
        if self.child is not None:
            watchdog.release_group(self.child.pid)


class NativeServer:
    """A running server: its readiness, a measurement window, and a clean stop."""

    def __init__(self, spawned: Spawned):
        self.spawned = spawned
        self._window: Window | None = None

    def stdout_so_far(self) -> str:
        return self.spawned.stdout_so_far()

    def stderr_tail(self) -> str:
        return self.spawned.stderr_tail()

    def alive(self) -> bool:
        return self.spawned.alive()

    def begin_window(self) -> None:
        """Start a measurement window: reset the peaks, read the CPU and context-switch counters."""
        self._window = Window(self.spawned.sampler, self.spawned.group)

    def end_window(self) -> dict:
        """CPU, context switches, peak memory and threads of the server over the window."""
        assert self._window is not None, "end_window without begin_window"
        return self._window.end()

    def stop(self) -> RunResult:
        """SIGTERM the group, then SIGKILL after a grace period; the result of the whole life."""
        _signal_group(self.spawned.pid, signal.SIGTERM)
        return _wait_or_kill(self.spawned, STOP_GRACE_S)


def _ended_within(pidfd: int, timeout_s: float) -> bool:
    """Whether the process of ``pidfd`` exits within ``timeout_s`` (its pidfd becomes readable)."""
    waiter = select.poll()
    waiter.register(pidfd, select.POLLIN)
    deadline = time.monotonic() + timeout_s
    while not waiter.poll(max(0.0, min(deadline - time.monotonic(), MAX_POLL_S)) * 1000):
        if time.monotonic() >= deadline:
            return False
    return True


class _Killer:
    """Kills a spawned program's process group (and cgroup) when the timeout expires (where there
    is no pidfd to wait on)."""

    def __init__(self, spawned: Spawned, timeout_s: float):
        self.spawned, self.fired = spawned, False
        self._timer = threading.Timer(timeout_s, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        self.spawned.kill()

    def cancel(self) -> None:
        self._timer.cancel()


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def become_subreaper() -> bool:
    """Make orphans of the programs this harness starts its own children (PR_SET_CHILD_SUBREAPER),
    so that one that left its process group and cgroup (setsid, a double fork) is still found."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def harness_children() -> set:
    """The processes whose parent is this harness now (adopted orphans included), but its watchdog."""
    return set(children_of("self") or []) - {watchdog.pid()}


def _kill_leftovers(pgid: int, group, children_before=frozenset()) -> int:
    """Kill processes the program left running (in its group, its cgroup, or adopted by the
    harness as orphans); reap the adopted ones; return how many were still running."""
    survivors = {pid for pid in (group.pids() if group else []) if _running(pid)}
    survivors |= {pid for pid in _group_members(pgid) if _running(pid)}
    adopted = harness_children() - set(children_before) - {pgid}
    survivors |= {pid for pid in adopted if _running(pid)}
    # A helper that ends by itself once the program is gone (CPython 3.14's forkserver and resource
    # tracker, which read EOF when it exits) gets LEFTOVER_GRACE_S to go before it counts as left.
    deadline = time.monotonic() + LEFTOVER_GRACE_S
    while survivors and time.monotonic() < deadline:
        time.sleep(0.05)
        survivors = {pid for pid in survivors if _running(pid)}
    if survivors:
        _signal_group(pgid, signal.SIGKILL)
        for pid in survivors:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if group:
            group.kill_all()
    _reap(harness_children() - set(children_before) - {pgid})
    return len(survivors)


def _group_members(pgid: int) -> list:
    """Processes of process group ``pgid`` (a scan of /proc, done only when the group still exists)."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return []
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    if int(handle.read().rsplit(b")", 1)[1].split()[2]) == pgid:
                        members.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return members


def _running(pid: int) -> bool:
    """Alive and not a zombie (a zombie has exited; only its parent's wait is missing)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return False


def _reap(pids) -> None:
    """Wait for adopted orphans once they are dead, so none stays a zombie of the harness."""
    deadline = time.monotonic() + 2.0
    pending = set(pids)
    while pending and time.monotonic() < deadline:
        for pid in list(pending):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                pending.discard(pid)
        if pending:
            time.sleep(0.01)


def _cgroup_figures(reading, sampler: TreeSampler) -> dict:
    if reading is None:
        return {}
    return {
        "peak_bytes": reading.peak_bytes,
        "file_bytes": reading.file_bytes,
        "anon_peak_bytes": sampler.peak_anon_bytes,
        "cpu_s": reading.cpu_s,
    }
