"""One measurement: a job, its runs, its status, and the record the results file keeps."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.analyse import stats
from harness.executors.base import RunResult
from harness.measure.capture import KEEP_WHOLE
from harness.measure.machine import disturbed
from harness.plan.jobs import Job
from harness.results.model import KEY_FIELDS, SUMMARY_FIELDS, Status
from harness.run.protocol import OutputMismatch, ProtocolError, read_output

STDERR_TAIL = 4000


class RunFailed(Exception):
    """A run that did not produce a result: carries the status and the reason."""

    def __init__(self, status: Status, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class Measurement:
    """A job's measured runs and what became of it."""

    job: Job
    runs: list = field(default_factory=list)
    status: Status = Status.OK
    reason: str = ""
    checksum: str | None = None
    stderr_tail: str = ""
    command: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    measured_s: float = 0.0  # wall time of the kept runs, against the row's time budget
    stop_reason: str = ""  # why the row got no more runs
    run_failed: bool = False  # a run gave no figures (even a mismatch, for an unreadable output)

    @property
    def finished_badly(self) -> bool:
        """True once a run failed: the job is not run again. A checksum mismatch still measures."""
        return self.run_failed or self.status not in (Status.OK, Status.MISMATCH)

    def mark(self, status: Status, reason: str) -> None:
        """Set a non-ok status with its reason."""
        self.status, self.reason = status, reason

    @property
    def counted_runs(self) -> list:
        """The runs its statistics rest on: the undisturbed ones. A run during which the rest of the
        machine took over a quarter of a core is kept in the record but not counted; only a row with
        no undisturbed run at all is summarised from its disturbed ones (its figures then say so
        through ``disturbed_runs``, and the judge decides nothing from it)."""
        undisturbed = [run for run in self.runs if not run.get("disturbed")]
        return undisturbed or list(self.runs)

    @property
    def disturbed_runs(self) -> int:
        """How many of its measured runs were disturbed."""
        return sum(1 for run in self.runs if run.get("disturbed"))

    def add(self, result: RunResult, keep: bool) -> None:
        """Interpret one run; keep its figures unless it was a warm-up."""
        self.command = result.command
        self.stderr_tail = result.stderr[-STDERR_TAIL:]
        try:
            record = run_record(result, self.job.program)
        except RunFailed as failure:
            self.mark(failure.status, failure.reason)
            self.run_failed = True
            return
        if self.checksum is not None and record["checksum"] != self.checksum:
            self.mark(Status.MISMATCH, f"checksum changed between runs: {self.checksum} then {record['checksum']}")
        self.checksum = record.pop("checksum")
        if keep:
            self.runs.append(record)
            self.measured_s += result.wall_s

    def stamp_last(self, round_index: int, started: float) -> None:
        """Store the round and start time (time.monotonic()) of the run just kept, so two rows
        measured in the same rounds can later be compared pair by pair."""
        self.runs[-1].update({"round": round_index, "started": started})

    def key_values(self) -> list:
        """The key figure of every kept run: its interval decides whether the row needs more runs."""
        for name in KEY_FIELDS[self.job.workload.key_figure]:
            values = [run.get(name) for run in self.counted_runs]
            if values and all(v is not None for v in values):
                return values
        return []

    def summarize(self) -> None:
        """Median, confidence interval and CV of every summary field and metric, over the counted runs."""
        runs = self.counted_runs
        self.summary = {name: stats.summarize(run.get(name) for run in runs) for name in SUMMARY_FIELDS}
        metric_names = dict.fromkeys(name for run in runs for name in run.get("metrics", {}))
        self.summary["metrics"] = {
            name: stats.summarize(_numeric(run.get("metrics", {}).get(name)) for run in runs) for name in metric_names
        }

    def to_record(self) -> dict:
        """The JSON-ready record the results file keeps."""
        job = self.job
        return {
            "workload": job.workload.name,
            "family": job.workload.family,
            "language": job.program.language,
            "variant": job.program.variant,
            **({"runtime": job.program.runtime} if job.program.runtime else {}),
            "backend": job.backend,
            **({"machine": job.backend.partition("@")[2]} if "@" in job.backend else {}),
            "params": dict(job.params),
            "args": job.program.args,
            "runtime_args": list(job.program.runtime_args),
            **({"cores": job.program.cores} if job.program.cores else {}),
            "status": self.status,
            "reason": self.reason,
            "checksum": self.checksum,
            "command": self.command,
            "stderr_tail": self.stderr_tail if self.status != Status.OK else "",
            "runs": self.runs,
            "disturbed_runs": self.disturbed_runs,
            "stop_reason": self.stop_reason,
            "summary": self.summary,
        }


def run_record(result: RunResult, program=None) -> dict:
    """The figures of one successful run, or RunFailed with why it was not successful.

    ``program`` decides how its output is read: the lab's JSON line, or a command program's rule.
    """
    unavailable = _not_available(result)
    if unavailable:
        raise RunFailed(Status.SKIPPED, unavailable)
    if result.failure:
        raise RunFailed(result.failure.status, result.failure.reason)
    if result.timed_out:
        raise RunFailed(Status.TIMEOUT, f"killed after the {result.wall_s:.0f} s timeout")
    if result.oom_killed:
        raise RunFailed(Status.OOM, "killed by the kernel's out-of-memory killer")
    if result.exit_code != 0:
        how = f"exit code {result.exit_code}" if result.exit_code is not None else f"signal {result.signal}"
        raise RunFailed(Status.FAILED, f"ended with {how}: {_last_line(result.stderr)}")
    if result.leftovers:  # its figures miss whatever those processes did: never an ok row
        raise RunFailed(Status.FAILED, f"left {result.leftovers} process{'es' if result.leftovers > 1 else ''} "
                                  f"running after it exited (killed)")
    rule = program.checksum if program else ""
    if rule not in ("", "none") and result.output_dropped_bytes:
        raise RunFailed(Status.FAILED, f"printed over {KEEP_WHOLE // 2**20} MiB on stdout, more than its checksum can be made "
                                  f"from; give it checksum = \"none\" or a smaller size")
    try:
        output = read_output(result.stdout, rule, program.pattern if program else "")
    except OutputMismatch as error:
        raise RunFailed(Status.MISMATCH, str(error)) from None
    except ProtocolError as error:
        raise RunFailed(Status.FAILED, str(error)) from None
    cold, warm = stats.cold_and_warm(output["work_s"])
    record = {
        "checksum": result.probe_checksum or output["checksum"],
        "wall_s": result.wall_s,
        "work_s": output["work_s"],
        "work_cold_s": cold,
        "work_warm_s": warm,
        "ns_per_op": _per_op(warm if warm is not None else cold, output["ops"]),
        "cpu_user_s": result.cpu_user_s,
        "cpu_sys_s": result.cpu_sys_s,
        "cpu_s": _cpu_s(result),
        "peak_memory_bytes": result.peak_memory_bytes,
        "peak_memory_method": result.peak_memory_method,
        "pss_sampled_peak_bytes": result.pss_sampled_peak_bytes,
        "peak_rss_bytes": result.peak_rss_bytes,
        "rss_sampled_peak_bytes": result.rss_sampled_peak_bytes,
        "ru_maxrss_bytes": result.ru_maxrss_bytes,
        "cgroup_peak_bytes": result.cgroup.get("peak_bytes"),
        "cgroup_anon_peak_bytes": result.cgroup.get("anon_peak_bytes"),
        "cgroup_file_bytes": result.cgroup.get("file_bytes"),
        "cgroup_cpu_s": result.cgroup.get("cpu_s"),
        "memory_method": result.memory_method,
        "threads_peak": result.threads_peak,
        "processes_peak": result.processes_peak,
        "ctx_voluntary": result.ctx_voluntary,
        "ctx_involuntary": result.ctx_involuntary,
        "samples": result.samples,
        "harness_cpu_s": result.harness_cpu_s,
        "other_cpu_s": result.other_cpu_s,
        "steal_s": result.steal_s,
        "disturbed": disturbed(result.other_cpu_s, result.steal_s, result.wall_s),
        "leftover_processes": result.leftovers,
        "output_dropped_bytes": result.output_dropped_bytes,
        "ops": output["ops"],
        "metrics": output["metrics"],
    }
    if result.load:
        _check_load(result.load)
        record.update(_load_figures(result.load))
        record["server_cpus"] = _cores_busy(record["cpu_s"], result.wall_s)  # a server's wall is its load window
        record["cpu_s_per_request"] = cpu_per_request(record["cpu_s"], result.load.get("requests_answered"))
    return record


def _check_load(load: dict) -> None:
    """A server that answered wrongly, reset or left requests unanswered under load is not measured."""
    for window in [load, *load.get("open_loop", [])]:
        errors = window.get("errors") or 0
        if errors:
            kinds = ", ".join(f"{kind} {count}" for kind, count in (window.get("error_kinds") or {}).items() if count)
            where = f"at {window['fraction']:.0%} of capacity, open loop" if "fraction" in window else "under load"
            raise RunFailed(Status.FAILED, f"{errors} errors {where} ({kinds or 'non-2xx or socket errors'}); its rate would count them")


def _load_figures(load: dict) -> dict:
    """The load generator's figures, flattened so they summarise like any other field."""
    latency = load.get("latency_us") or {}
    return {
        "load": load,
        "requests_per_s": load.get("requests_per_s"),
        "latency_p50_us": latency.get("p50"),
        "latency_p90_us": latency.get("p90"),
        "latency_p99_us": latency.get("p99"),
        "latency_max_us": latency.get("max"),
        "generator_cpu_util": load.get("generator_cpu_util"),
        **{f"open_p99_at_{round(w['fraction'] * 100)}_us": _open_p99(w) for w in load.get("open_loop", [])},
    }


def _open_p99(window: dict) -> float | None:
    """An open-loop window's p99, or None when its schedule was not kept: latency counted from when
    each request was due then includes the generator's own lag, which is not the server's."""
    if window.get("schedule_kept") is False:
        return None
    return (window.get("latency_us") or {}).get("p99")


NOT_AVAILABLE_EXIT = 3  # protocol: "this variant cannot run here", with the reason on stderr


def _not_available(result: RunResult) -> str:
    """The reason a program gave for not being able to run here (exit 3, `not available: ...`)."""
    if result.exit_code != NOT_AVAILABLE_EXIT:
        return ""
    for line in result.stderr.splitlines():
        if line.startswith("not available:"):
            return line.strip()
    return ""


def _per_op(seconds, ops):
    """Nanoseconds of the measured region per operation the program says it did."""
    if not seconds or not isinstance(ops, (int, float)) or isinstance(ops, bool) or ops <= 0:
        return None
    return seconds / ops * 1e9


def _numeric(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _cpu_s(result: RunResult) -> float | None:
    """A server's CPU over its load window from its cgroup (exact, exited threads and children
    included) where there is one; otherwise user + system time as measured (/proc of its tree, or
    in a container the engine's figures for its cgroup, which may be missing: None)."""
    if result.load is not None and result.cgroup.get("cpu_s") is not None:
        return result.cgroup["cpu_s"]
    if result.cpu_user_s is None or result.cpu_sys_s is None:
        return None
    return result.cpu_user_s + result.cpu_sys_s


def cpu_per_request(cpu_s, answered):
    """A server's CPU seconds per request it answered over its load window: what a request costs it,
    whatever set the rate (the generator or the server). Both count the same span: the server's CPU
    from the start of the generator's warm-up to its end, the responses of that whole run. None
    without a CPU figure or an answered request."""
    if cpu_s is None or not answered or answered <= 0:
        return None
    return cpu_s / answered


def _cores_busy(cpu_s, window_s):
    """How many CPUs a server kept busy on average over its load window (warm-up included, as its
    CPU time is): CPU seconds per second."""
    if not cpu_s or not window_s:
        return None
    return cpu_s / window_s


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no stderr)"
