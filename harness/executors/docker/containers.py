"""One program in one container: the wrapper around it, its start, wait and stop, and its result.

A run's container executes a small shell wrapper as PID 1, which runs the program and, once it is
over, prints the container's own cgroup figures (v1 or v2) and the program's CPU time (`times`:
what the shell reaped, as wait4 natively) on a marked stderr block. Servers get the same wrapper
and a stop by SIGTERM; their neighbour (a helpers-image container in the server's network
namespace) runs the probe and the load generator by exec.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from harness.errors import EngineConnectionLost, GeneratorError
from harness.executors.base import RunResult
from harness.measure.sampler import Window
from harness.paths import FIXTURES

LABEL = "runtime-lab"  # every container the lab starts carries it ("1"); its images carry IMAGE_LABEL
RUN_LABEL = "runtime-lab.run"
OUTPUT_LIMIT = 1 << 20  # keep the last MiB of stdout/stderr, as natively
MARK = "@@runtime-lab-wrapper@@"
STOP_GRACE_S = 5.0
HELPERS_ROOT = "/lab/helpers"


# The wrapper runs the program, then reports what only the inside of the container can read once
# the program is over: the container's cgroup (v2 or v1), the program's CPU time, and processes it
# left behind. Shell built-ins only (no fork, unless something is left), so the report costs nothing
# measurable. It is the
# container's PID 1, which the kernel shields from signals it does not handle: it hands a SIGTERM
# (docker kill -s TERM, how servers are stopped) on to the program, then waits for its real status.
# The trap is set before the program starts: a SIGTERM in between is handed on, not fatal.
WRAPPER = r'''
child= term=
trap 'term=1; [ -n "$child" ] && kill -TERM $child 2>/dev/null' TERM
"$@" &
child=$!
[ -n "$term" ] && kill -TERM $child 2>/dev/null
wait $child
rc=$?
while kill -0 $child 2>/dev/null; do wait $child; rc=$?; done
v=none peak= file= anon= cpu= oom=0
c=/sys/fs/cgroup
if [ -r $c/memory.peak ]; then
    v=2
    read -r peak < $c/memory.peak
    while read -r k n; do case $k in anon) anon=$n;; file) file=$n;; esac; done < $c/memory.stat
    while read -r k n; do case $k in usage_usec) cpu=${n}000;; esac; done < $c/cpu.stat
    while read -r k n; do case $k in oom_kill) oom=$n;; esac; done < $c/memory.events
elif [ -r $c/memory/memory.max_usage_in_bytes ]; then
    v=1
    read -r peak < $c/memory/memory.max_usage_in_bytes
    while read -r k n; do case $k in rss) anon=$n;; cache) file=$n;; esac; done < $c/memory/memory.stat
    [ -r $c/cpuacct/cpuacct.usage ] && read -r cpu < $c/cpuacct/cpuacct.usage
    while read -r k n; do case $k in oom_kill) oom=$n;; esac; done < $c/memory/memory.oom_control
fi
left=0 waited=0
while :; do
    left=0
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = "$$" ] && continue
        s=
        read -r s 2>/dev/null < "$p/stat" || continue
        st=${s##*) }
        case $st in Z*) continue;; esac
        left=$((left + 1))
    done
    # A helper that ends by itself once the program is gone (CPython 3.14's forkserver and
    # resource tracker) gets up to 1 s to go; only then does sleep fork.
    { [ $left = 0 ] || [ $waited -ge 20 ]; } && break
    waited=$((waited + 1))
    sleep 0.05 2>/dev/null || break
done
printf '\n%s\n' "@@runtime-lab-wrapper@@" >&2
printf 'rc=%s cgroup=%s peak=%s file=%s anon=%s cpu_ns=%s oom_kill=%s leftovers=%s\n' \
    "$rc" "$v" "$peak" "$file" "$anon" "$cpu" "$oom" "$left" >&2
times >&2
exit $rc
'''


# A swarm job's wrapper: the same, plus the program's wall time by the container's own clock (the
# engine's job scheduling is no part of it) and the facts of the machine it ran on. bash has the
# clock built in; plain sh forks `date` once before the program and once after it.
CLOCK = "${EPOCHREALTIME:-$(date +%s.%N)}"
MACHINE_FACTS = r"""
model= cores=0 kernel= mem_kb=
while IFS= read -r line; do
    case $line in "model name"*) [ -z "$model" ] && model=${line#*: };; processor*) cores=$((cores + 1));; esac
done < /proc/cpuinfo
read -r kernel < /proc/sys/kernel/osrelease
while read -r k n u; do case $k in MemTotal:) mem_kb=$n;; esac; done < /proc/meminfo
printf 'clock start=%s end=%s\n' "$t0" "$t1" >&2
printf 'machine node=%s cores=%s kernel=%s mem_kb=%s cgroup=%s arch=%s\n' \
    "${LAB_NODE:-?}" "$cores" "$kernel" "$mem_kb" "$v" "${LAB_ARCH:-?}" >&2
printf 'cpu_model=%s\n' "$model" >&2
"""
SWARM_WRAPPER = (WRAPPER.replace('"$@" &\n', f't0={CLOCK}\n"$@" &\n', 1)
                 .replace("v=none peak=", f"t1={CLOCK}\nv=none peak=", 1)
                 .replace("times >&2\n", MACHINE_FACTS.lstrip("\n") + "times >&2\n", 1))

class Started:
    """A started container running a program under the wrapper, and its sampler (None: not visible)."""

    def __init__(self, argv: list, container, started: float, sampler, keep: int | None = None):
        self.argv, self.container, self.started, self.sampler = argv, container, started, sampler
        self.keep = keep or OUTPUT_LIMIT  # bytes of stdout kept

    def abandon(self) -> None:
        """Stop sampling and remove the container, measuring nothing."""
        if self.sampler:
            self.sampler.stop()
        remove_container(self.container)

    def finish(self, timed_out: bool) -> RunResult:
        """Kill it if it timed out, collect its logs and the wrapper's report, and remove it."""
        try:
            if timed_out:
                _kill(self.container)
                wait_for_exit(self.container, 60)
            ended = time.perf_counter()
            if self.sampler:
                self.sampler.stop()
            self.container.reload()
            stdout = _tail(self.container.logs(stdout=True, stderr=False), self.keep)
            stderr = _tail(self.container.logs(stdout=False, stderr=True))
            return _result(self.argv, self.container.attrs["State"], stdout, stderr, ended - self.started, timed_out,
                           self.sampler)
        finally:
            self.abandon()


class ContainerServer:
    """A server in its own container: readiness from its logs, a measurement window, a clean stop.

    The same interface as the native backend's NativeServer, so Lifecycle runs both alike.
    """

    def __init__(self, started: Started):
        self.started = started
        self.container = started.container
        self._window: Window | EngineWindow | None = None

    def stdout_so_far(self) -> str:
        return _tail(self.container.logs(stdout=True, stderr=False))

    def stderr_tail(self) -> str:
        return split_report(_tail(self.container.logs(stdout=False, stderr=True)))[0]

    def alive(self) -> bool:
        try:
            self.container.reload()
        except Exception:  # removed meanwhile: the SDK's NotFound
            return False
        return self.container.status == "running"

    def begin_window(self) -> None:
        """Start a measurement window: from the host as natively, else from the engine's stats."""
        sampler = self.started.sampler
        self._window = Window(sampler, sampler.cgroup) if sampler else EngineWindow(self.container)

    def end_window(self) -> dict:
        """CPU, context switches, peak memory and threads of the server over the window."""
        if self._window is None:
            raise RuntimeError("end_window before begin_window")
        return self._window.end()

    def stop(self) -> RunResult:
        """SIGTERM the program (the wrapper hands it on), SIGKILL after a grace period; the whole life's result."""
        import docker.errors

        try:
            self.container.kill(signal="SIGTERM")
        except docker.errors.APIError:  # it has exited already
            pass
        return self.started.finish(timed_out=not wait_for_exit(self.container, STOP_GRACE_S))


class ContainerNeighbour:
    """A helpers container sharing a server's network namespace: runs the probe and the load generator."""

    def __init__(self, container, helpers: ImageHelpers):
        self.container, self.helpers = container, helpers

    def run(self, name: str, arguments: list, timeout_s: float) -> tuple[str, int, float | None]:
        """Run helper ``name`` to its end inside; (stdout + stderr, exit code, None: CPU is not read here)."""
        argv = self.helpers.argv(name)
        if argv is None:
            raise GeneratorError(f"{name} is not in the helpers image")
        # coreutils timeout: an exec has no deadline of its own
        exit_code, (out, err) = self.container.exec_run(
            ["timeout", "-s", "KILL", f"{timeout_s:.0f}", *argv, *arguments], demux=True)
        # The engine keeps the two streams apart; stdout goes last, where the helpers' result line is.
        text = (err or b"") + (out or b"")
        return text.decode("utf-8", errors="replace"), exit_code, None

    def close(self) -> None:
        remove_container(self.container)


class ImageHelpers:
    """The helper programs of server and client workloads as the helpers image holds them."""

    def argv(self, name) -> list | None:
        """The command that starts helper ``name`` in the helpers image, or None (wrk is not there)."""
        if name in ("loadgen", "ceiling_server"):
            return [f"{HELPERS_ROOT}/bin/{name}"]
        if name == "wrk":
            return None
        if name == "probe":
            return ["python3", f"{HELPERS_ROOT}/fixtures/probe.py"]
        fixture = Path(name).resolve().relative_to(FIXTURES.resolve()).as_posix()
        return ["python3", f"{HELPERS_ROOT}/fixtures/{fixture}"]


class EngineWindow:
    """A window for a container whose processes this harness cannot see: CPU from the engine only."""

    def __init__(self, container):
        self.container = container
        self.started, self.before = time.perf_counter(), _engine_cpu(container)

    def end(self) -> dict:
        after = _engine_cpu(self.container)
        figures = {name: None if after[name] is None or self.before[name] is None else after[name] - self.before[name]
                   for name in after}
        figures.update(window_s=time.perf_counter() - self.started, rss_sampled_peak_bytes=0, threads_peak=0,
                       processes_peak=0, cgroup_peak_bytes=None)
        return figures


def _engine_cpu(container) -> dict:
    """The container's CPU seconds from the engine's stats, when its processes are not visible here."""
    try:
        usage = container.stats(stream=False, one_shot=True)["cpu_stats"]["cpu_usage"]
        user, system = usage["usage_in_usermode"] / 1e9, usage["usage_in_kernelmode"] / 1e9
    except Exception:  # an engine or cgroup without the split: no CPU figure for the window
        user = system = None
    return {"cpu_user_s": user, "cpu_sys_s": system, "ctx_voluntary": None, "ctx_involuntary": None}


def _result(argv, state: dict, stdout: str, stderr: str, wall_s: float, timed_out: bool, sampler) -> RunResult:
    """Assemble the RunResult from the container's state, its wrapper's report and the sampler."""
    stderr, report = split_report(stderr)
    rc = report.get("rc", state.get("ExitCode"))
    cpu_user, cpu_sys = report.get("times", (0.0, 0.0))
    version = report.get("cgroup")
    cgroup = {}
    if version in ("1", "2"):
        cgroup = {
            "peak_bytes": report.get("peak"), "file_bytes": report.get("file"),
            "anon_peak_bytes": sampler.peak_anon_bytes if sampler and sampler.samples else None,
            "cpu_s": report["cpu_ns"] / 1e9 if report.get("cpu_ns") is not None else None,
        }
    samples = sampler.samples if sampler else 0
    method = f"cgroup-v{version}" if version in ("1", "2") else ("sampled" if samples else "none")
    return RunResult(
        command=argv,
        exit_code=rc if rc is not None and not 128 < rc < 160 else None,
        signal=rc - 128 if rc is not None and 128 < rc < 160 else None,
        timed_out=timed_out,
        wall_s=wall_s,
        cpu_user_s=cpu_user,
        cpu_sys_s=cpu_sys,
        ru_maxrss_bytes=0,
        rss_sampled_peak_bytes=sampler.peak_rss_bytes if sampler else 0,
        threads_peak=sampler.peak_threads if sampler else 0,
        processes_peak=sampler.peak_processes if sampler else 0,
        ctx_voluntary=None,
        ctx_involuntary=None,
        samples=samples,
        stdout=stdout,
        stderr=stderr,
        memory_method=method,
        cgroup=cgroup,
        oom_killed=bool(state.get("OOMKilled")) or bool(report.get("oom_kill")),
        leftovers=report.get("leftovers", 0),
    )


TIMES = re.compile(r"(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s")


def split_report(stderr: str) -> tuple[str, dict]:
    """The program's own stderr, and the wrapper's report parsed ({} when it never got to print it)."""
    at = stderr.rfind("\n" + MARK + "\n")
    if at < 0:
        return stderr, {}
    program, block = stderr[:at], stderr[at + len(MARK) + 2:]
    lines = block.splitlines()
    report: dict[str, Any] = {}
    for pair in lines[0].split() if lines else []:
        key, _, value = pair.partition("=")
        report[key] = int(value) if value.lstrip("-").isdigit() else (value or None)
    report["cgroup"] = str(report.get("cgroup"))
    for line in lines[1:]:  # a swarm job's clock and machine lines (SWARM_WRAPPER)
        name, _, rest = line.partition(" ")
        if name in ("clock", "machine"):
            report[name] = dict(pair.partition("=")[::2] for pair in rest.split())
        elif line.startswith("cpu_model="):
            report.setdefault("machine", {})["cpu_model"] = line.partition("=")[2].strip()
    lines = [line for line in lines if not line.startswith(("clock ", "machine ", "cpu_model="))]
    times = [match for line in lines[1:] if (match := TIMES.search(line))]
    if times:  # the second line of `times`: the children's user and system time
        m = times[-1]
        report["times"] = (int(m[1]) * 60 + float(m[2]), int(m[3]) * 60 + float(m[4]))
    return program, report


def wait_for_exit(container, timeout_s: float) -> bool:
    """Wait for the container to exit; False when ``timeout_s`` passed first."""
    import requests

    try:
        container.wait(timeout=timeout_s)
        return True
    except requests.exceptions.ReadTimeout:
        return False
    except requests.exceptions.ConnectionError as error:
        # Over a unix socket the SDK reports its own read timeout as a ConnectionError.
        if "timed out" in str(error).lower():
            return False
        raise EngineConnectionLost(f"docker engine connection lost: {str(error).splitlines()[0][:200]}") from None


def _kill(container) -> None:
    import docker.errors

    try:
        container.kill()
    except docker.errors.APIError:  # it exited meanwhile
        pass


def remove_container(container) -> None:
    """Remove a container, killing it first if it still runs; never raises."""
    import docker.errors

    try:
        container.remove(force=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as error:
        if "already in progress" not in str(error):
            raise


def remove_labelled(client, run_id: str | None = None) -> int:
    """Remove every lab container (of one run, when ``run_id`` is given); how many there were."""
    wanted = [f"{RUN_LABEL}={run_id}"] if run_id else [f"{LABEL}=1"]
    containers = client.containers.list(all=True, filters={"label": wanted})
    for container in containers:
        remove_container(container)
    return len(containers)


def _tail(data: bytes, keep: int = OUTPUT_LIMIT) -> str:
    return data[-keep:].decode("utf-8", errors="replace")
