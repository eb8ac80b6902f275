"""Drive a server with load: the lab's own C generator (echo and HTTP), or wrk for HTTP when installed.

The generator runs beside the server, in its network: on this machine natively, in a container
sharing the server container's network namespace in the docker backend (the "neighbour" an
executor hands out). Both report requests/s, latency percentiles and errors in one shape, and
their own CPU use, so a row where the generator, not the server, was the limit can be flagged.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from harness import paths
from harness.errors import GeneratorError
from harness.measure import watchdog
from harness.paths import FIXTURES, LOADGEN_SOURCES
from harness.results import files

SOURCES = LOADGEN_SOURCES
GRACE_S = 15.0  # beyond warm-up + duration before the generator itself is killed
SERVER_FAILED = 3  # the generator's exit code when the server went away


@dataclass(frozen=True)
class LoadSpec:
    """One load window: protocol, concurrency, message size and timing."""

    protocol: str  # "echo" or "http"
    connections: int
    duration_s: float
    warmup_s: float = 1.0
    size: int = 64
    expect_body: str = ""  # http: the probe's body, which every response under load must repeat
    rate: float = 0.0  # open loop: requests/s the generator sends on schedule (0: closed loop)


def build(name: str = "loadgen") -> Path:
    """Compile ``loadgen/<name>.c`` once per source state (cached); return the binary."""
    source = SOURCES / f"{name}.c"
    if not source.is_file():
        raise GeneratorError(f"{source} is missing; the checkout is incomplete")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    binary = paths.CACHE / "loadgen" / digest / name
    if binary.exists():
        return binary
    compiler = shutil.which("gcc") or shutil.which("cc")
    if not compiler:
        raise GeneratorError("no C compiler to build the load generator; install gcc (apt-get install gcc)")
    # Built under a temporary name and renamed: a binary cut short by a full disk is never found as built.
    partial = binary.with_name(f".{name}.{os.getpid()}.tmp")
    try:
        binary.parent.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([compiler, "-O2", "-Wall", "-o", str(partial), str(source), "-lm", "-pthread"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            why = files.no_room(binary.parent)
            raise GeneratorError(f"cannot build {binary}: {why}" if why else
                                 f"building {source.name} failed:\n{done.stderr[-2000:]}")
        os.replace(partial, binary)
    except OSError as error:
        raise GeneratorError(files.cache_problem(Path(error.filename or binary), error)) from None
    finally:
        partial.unlink(missing_ok=True)
    return binary


class HostHelpers:
    """The helper programs of server and client workloads as this machine runs them."""

    def __init__(self):
        self.wrk = shutil.which("wrk")
        self._built = {}  # compiled once, so no later run hashes the sources inside a load window

    def argv(self, name: str) -> list | None:
        """The command that starts helper ``name``, or None when this machine lacks it.

        Names: "loadgen" and "ceiling_server" (compiled here once), "wrk", "probe", and a
        fixture server's path (a Python script run by the harness's own Python).
        """
        if name in ("loadgen", "ceiling_server"):
            if name not in self._built:
                self._built[name] = str(build(name))
            return [self._built[name]]
        if name == "wrk":
            return [self.wrk] if self.wrk else None
        if name == "probe":
            return [sys.executable, str(FIXTURES / "probe.py")]
        return [sys.executable, str(name)]


class LoadGenerator:
    """Runs load windows against a port, through a neighbour that shares the server's network."""

    def __init__(self, helpers, cpus=None, use_wrk: bool = True):
        self.helpers, self.cpus = helpers, cpus
        self.use_wrk = use_wrk and helpers.argv("wrk") is not None

    def describe(self) -> dict:
        """Which generators this run uses, for the environment record."""
        return {"echo": "lab loadgen (C, epoll)", "http": "wrk" if self.use_wrk else "lab loadgen (C, epoll)",
                "wrk": " ".join(self.helpers.argv("wrk") or ["not used"]), "cpus": sorted(self.cpus) if self.cpus else "any"}

    def name_for(self, protocol: str) -> str:
        return "wrk" if protocol == "http" and self.use_wrk else "loadgen"

    def run(self, spec: LoadSpec, port: int, neighbour) -> dict:
        """One load window; a dict with requests_per_s, latency_us, errors, cpu_s (the generator's own),
        requests_answered (the whole run's, warm-up included) and server_failed."""
        if self.name_for(spec.protocol) == "wrk" and not spec.rate:  # open loop: the lab's generator always
            return self._run_wrk(spec, port, neighbour)
        arguments = ["--mode", spec.protocol, "--host", "127.0.0.1", "--port", str(port),
                     "--connections", str(spec.connections), "--duration", str(spec.duration_s),
                     "--warmup", str(spec.warmup_s), "--size", str(spec.size)]
        if spec.protocol == "http" and spec.expect_body:
            arguments += ["--expect-body", spec.expect_body]
        if spec.rate:
            arguments += ["--rate", f"{spec.rate:.1f}"]
        output, exit_code, cpu_s = neighbour.run("loadgen", arguments, spec.warmup_s + spec.duration_s + GRACE_S)
        try:
            raw = json.loads(output.strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            raise GeneratorError(f"the load generator printed no result (exit {exit_code}): {output[-300:]}") from None
        if "cpu_user_s" in raw:  # its own getrusage over the recording window: the busy fraction's numerator
            cpu_s = raw["cpu_user_s"] + raw.get("cpu_sys_s", 0.0)
        return {
            "generator": "loadgen",
            "requests": raw["requests"],
            "requests_per_s": raw["requests_per_s"],
            "bytes_per_s": raw.get("bytes_per_s"),
            "latency_us": raw["latency_us"],
            "latency_curve_us": raw.get("latency_curve_us", []),  # [quantile, us] pairs: the tail's shape
            "errors": sum(raw.get("errors", {}).values()),
            "error_kinds": raw.get("errors", {}),
            "duration_s": raw.get("duration_s", spec.duration_s),
            # Every response of the whole run (warm-up, window, drain): what the server answered
            # while its CPU was counted, the divisor of its CPU per request.
            "requests_answered": raw.get("requests_total"),
            "cpu_s": cpu_s,
            "server_failed": exit_code == SERVER_FAILED,
            "bodies_checked": spec.protocol == "echo" or bool(spec.expect_body),
        }

    def _run_wrk(self, spec: LoadSpec, port: int, neighbour) -> dict:
        url = f"http://127.0.0.1:{port}/"
        base = ["-t1", f"-c{spec.connections}", "--latency"]
        warm: dict | None = {"requests": 0}
        if spec.warmup_s > 0:  # wrk has no warm-up of its own
            warm_output, _, _ = neighbour.run("wrk", base + [f"-d{max(1, round(spec.warmup_s))}s", url], spec.warmup_s + GRACE_S)
            warm = parse_wrk(warm_output)
        output, exit_code, cpu_s = neighbour.run("wrk", base + [f"-d{max(1, round(spec.duration_s))}s", url],
                                                 spec.duration_s + GRACE_S)
        parsed = parse_wrk(output)
        if parsed is None:
            raise GeneratorError(f"wrk printed no result (exit {exit_code}): {output[-300:]}")
        # The server's CPU window spans the warm-up run too, so its requests count as answered.
        answered = parsed["requests"] + warm["requests"] if warm else None
        parsed.update(generator="wrk", cpu_s=cpu_s, server_failed=parsed["requests"] == 0, bodies_checked=False,
                      requests_answered=answered)
        return parsed


def run_pinned(command: list, timeout_s: float, cpus=None) -> tuple[str, int, float]:
    """Run a helper here, pinned; return (stdout + stderr, exit code, its CPU seconds from wait4)."""
    with tempfile.TemporaryFile() as output:
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, process_group=0,
                                 preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None)
        watchdog.guard_group(child.pid)  # a load generator outlives no harness, even one killed with -9
        killer = threading.Timer(timeout_s, child.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        except BaseException:
            child.kill()
            child.wait()
            raise
        finally:
            killer.cancel()
            watchdog.release_group(child.pid)
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", errors="replace")
    return text, child.returncode, usage.ru_utime + usage.ru_stime


WRK_UNITS = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6}


def parse_wrk(text: str) -> dict | None:
    """requests, requests/s, latency percentiles (µs) and errors from ``wrk --latency`` output."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", text)
    if not rate or not total:
        return None
    latency: dict[str, float | None] = {f"p{p}": _wrk_time(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", text, re.M)}
    peak = re.search(r"Latency\s+[\d.]+\w+\s+[\d.]+\w+\s+([\d.]+\w+)", text)
    latency["max"] = _wrk_time(peak.group(1)) if peak else None
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return {"requests": int(total.group(1)), "requests_per_s": float(rate.group(1)), "bytes_per_s": None,
            "latency_us": latency, "errors": errors, "error_kinds": {}, "duration_s": _wrk_time(total.group(2) + total.group(3)) / 1e6}


def _wrk_time(text: str) -> float:
    parts = re.match(r"([\d.]+)([a-z]+)", text)
    if parts is None:
        raise ValueError(f"not a wrk time: {text!r}")
    number, unit = parts.groups()
    return float(number) * WRK_UNITS[unit]
