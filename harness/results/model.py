"""The results file's model: what a row's status can be, and which run fields the report summarises."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """What became of a row. A StrEnum, so the JSON keeps the plain words ("ok", "mismatch", ...)."""

    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timeout"
    OOM = "oom"
    MISMATCH = "mismatch"
    SKIPPED = "skipped"
    NOT_RUN = "not run"


# Run fields summarised with a median and a confidence interval, in table order.
SUMMARY_FIELDS = (
    "wall_s", "work_cold_s", "work_warm_s", "ns_per_op", "cpu_s", "peak_rss_bytes", "cgroup_peak_bytes",
    "cgroup_anon_peak_bytes", "threads_peak", "processes_peak", "ctx_voluntary", "ctx_involuntary",
    "requests_per_s", "latency_p50_us", "latency_p90_us", "latency_p99_us", "latency_max_us", "generator_cpu_util",
    "open_p99_at_50_us", "open_p99_at_80_us", "server_cpus",
)
# A workload's key figure (catalogue ``key_figure``) and the run fields that give it, best first.
KEY_FIELDS = {
    "time": ("work_warm_s", "work_cold_s", "wall_s"),
    "memory": ("cgroup_peak_bytes", "peak_rss_bytes"),
    "rate": ("requests_per_s",),
}
