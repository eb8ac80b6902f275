"""Every threading workload runs in every available language at tiny sizes: ok, agreeing, really parallel."""

import re

import pytest

from harness import catalogue
from harness.analyse import verify
from tests.conftest import require_runtime, rows_of, run_cli

THREADING = [w for w in catalogue.load().workloads.values() if w.family == "threading"]


@pytest.fixture(scope="module")
def threading_run(catalogue_run):
    return rows_of(catalogue_run, "threading"), catalogue_run[1]


@pytest.mark.integration
@pytest.mark.parametrize("language", ["python", "java", "node"])
@pytest.mark.parametrize("workload", [w.name for w in THREADING])
def test_every_program_runs_ok(threading_run, toolchain, workload, language):
    require_runtime(toolchain, language)
    rows = [m for m in threading_run[0] if m["workload"] == workload and m["language"] == language]
    assert rows, f"{workload} has no {language} program"
    for row in rows:
        if row["status"] == "skipped" and ("needs Java 21" in row["reason"] or row["reason"].startswith("not applicable:")):
            continue  # virtual threads on an older JDK, or a language with no honest equivalent: skipped, saying why
        assert row["status"] == "ok", f"{row['variant']} {row['params']}: {row['reason']}\n{row['stderr_tail']}"


@pytest.mark.integration
def test_checksums_agree_within_every_case(threading_run):
    cases = {}
    for row in threading_run[0]:
        if row["status"] == "ok":
            cases.setdefault((row["workload"], tuple(sorted(row["params"].items()))), set()).add(row["checksum"])
    assert cases and all(len(sums) == 1 for sums in cases.values()), cases


def _peak(row: dict, field: str) -> int:
    return max(run.get(field) or 0 for run in row["runs"])


@pytest.mark.integration
def test_parallel_variants_were_seen_running_their_workers(threading_run):
    """Threads are counted above the same variant's threads=1 run (an idle JVM has about twenty);
    a run sampled fewer than MIN_SAMPLES times proves nothing either way, and its reason says so."""
    ok = [m for m in threading_run[0] if m["workload"] == "cpu_scaling" and m["status"] == "ok"]
    single = {(r["language"], r["variant"]): r for r in ok if r["params"]["threads"] == 1}
    for row in (r for r in ok if r["params"]["threads"] == 2 and r["variant"] in ("processes", "threads", "workers")):
        if row["variant"] == "processes":
            seen = _peak(row, "processes_peak") >= 2
        else:
            baseline = single.get((row["language"], row["variant"]))
            assert baseline, f"no ok threads=1 row of {row['language']}/{row['variant']} to count its threads above"
            seen = _peak(row, "threads_peak") >= _peak(baseline, "threads_peak") + 1
        if seen:
            continue
        # Not seen: only a run too short to be sampled MIN_SAMPLES times may get away with it, saying so.
        assert max(run.get("samples") or 0 for run in row["runs"]) < verify.MIN_SAMPLES, row["runs"]
        assert "too short to verify" in row["reason"], row


@pytest.mark.integration
def test_threading_report_has_scaling_and_memory_per_thread_with_plots(threading_run):
    markdown = threading_run[1]
    assert "Speedup is the same program's time at threads=1" in markdown and "plots/cpu_scaling-speedup.png" in markdown
    assert "Memory per count" in markdown and "KiB per count (95 % CI)" in markdown


def test_a_zero_or_negative_thread_count_is_refused_before_anything_starts():
    for value in ("0", "-2"):
        done = run_cli("compare", "--only", "cpu_scaling", f"--param=threads={value}")
        assert done.returncode == 2 and "must be above 0" in done.stderr and "Traceback" not in done.stderr


def test_more_threads_than_the_machine_allows_is_refused_up_front():
    done = run_cli("compare", "--only", "thread_spawn", "--param", "count=5000000")
    assert done.returncode == 2
    assert "is more threads than this machine allows" in done.stderr, done.stderr
    # The binding limit depends on the machine; which one it is, is named.
    assert re.search(r"bound by (kernel\.threads-max|kernel\.pid_max|ulimit -u|vm\.max_map_count) with \d+ tasks", done.stderr), done.stderr
