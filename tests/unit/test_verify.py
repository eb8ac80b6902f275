"""Every program of a case must print the same checksum; the odd one out is marked mismatch."""

from types import SimpleNamespace

import pytest

from harness.analyse import verify
from harness.run.measurement import Measurement


def measurement(label, checksum, case=("w", ()), rule=""):
    language, variant = label.split("/")
    program = SimpleNamespace(label=label, language=language, variant=variant, checksum=rule)
    job = SimpleNamespace(case=case, program=program)
    m = Measurement(job)
    m.checksum = checksum
    return m


def test_the_minority_is_marked_and_names_the_majority():
    rows = [measurement("python/a", "10"), measurement("java/b", "10"), measurement("node/c", "11")]
    verify.check_checksums(rows)
    assert [m.status for m in rows] == ["ok", "ok", "mismatch"]
    assert "differs from 10 printed by python/a, java/b" in rows[2].reason


def test_a_command_program_that_asked_for_no_check_is_kept_out_and_marked_unverified():
    rows = [measurement("python/a", "10"), measurement("c/b", "unverified", rule="none"), measurement("node/c", "10")]
    verify.check_checksums(rows)
    assert [m.status for m in rows] == ["ok", "ok", "ok"]
    assert "not verified" in rows[1].reason


def test_without_a_majority_every_row_is_marked():
    rows = [measurement("python/a", "1"), measurement("java/b", "2")]
    verify.check_checksums(rows)
    assert [m.status for m in rows] == ["mismatch", "mismatch"]


def test_cases_are_compared_separately_and_failed_rows_ignored():
    rows = [measurement("python/a", "1", ("w", (("n", 1),))), measurement("java/b", "2", ("w", (("n", 2),)))]
    failed = measurement("node/c", "3", ("w", (("n", 1),)))
    failed.mark("failed", "crashed")
    verify.check_checksums(rows + [failed])
    assert [m.status for m in rows] == ["ok", "ok"]


def parallel_measurement(threads_seen, samples, threads=4, parallel="threads"):
    program = SimpleNamespace(label="java/threads", language="java", variant="threads", parallel=parallel, spawns="threads")
    job = SimpleNamespace(case=("w", ()), program=program, params=(("threads", threads),), workload=SimpleNamespace(name="w"))
    m = Measurement(job)
    m.runs = [{"threads_peak": threads_seen, "processes_peak": threads_seen, "samples": samples}]
    return m


def test_a_parallel_variant_seen_with_too_few_threads_is_a_mismatch():
    m = parallel_measurement(threads_seen=1, samples=100)
    verify.check_parallelism([m])
    assert m.status == "mismatch" and "threads=4 but at most 1" in m.reason


def test_a_parallel_variant_seen_with_its_threads_passes():
    m = parallel_measurement(threads_seen=4, samples=100)
    verify.check_parallelism([m])
    assert m.status == "ok"


def test_a_run_too_short_to_sample_is_not_judged_but_says_so():
    m = parallel_measurement(threads_seen=1, samples=3)
    verify.check_parallelism([m])
    assert m.status == "ok" and "too short to verify" in m.reason


def threaded(workers, threads_seen, samples=100, variant="threads", parallel="threads", n=1000, status="ok"):
    """A java/<variant> measurement at ``threads=workers`` whose runs saw ``threads_seen`` threads at once."""
    program = SimpleNamespace(label=f"java/{variant}", language="java", variant=variant, parallel=parallel, spawns="threads")
    job = SimpleNamespace(case=("w", (("n", n), ("threads", workers))), program=program,
                          params=(("n", n), ("threads", workers)), workload=SimpleNamespace(name="w"), backend="native")
    m = Measurement(job)
    m.runs = [{"threads_peak": threads_seen, "processes_peak": threads_seen, "samples": samples}]
    if status != "ok":
        m.mark(status, "crashed")
    return m


@pytest.mark.parametrize("seen, status", [(22, "mismatch"), (23, "ok")])
def test_threads_are_counted_above_the_variants_own_single_thread_run(seen, status):
    # A JVM idles with 20 threads: at threads=4 it must show 20 + 4 - 1 = 23.
    single, four = threaded(1, 20), threaded(4, seen)
    verify.check_parallelism([single, four])
    assert four.status == status and single.status == "ok"
    if status == "mismatch":
        assert "threads=4 but at most 22 threads were seen at once (need 23)" in four.reason


def test_without_a_single_thread_run_t_threads_are_needed():
    four = threaded(4, 4)
    verify.check_parallelism([four])
    assert four.status == "ok"


@pytest.mark.parametrize("other", [
    dict(n=2000),  # other parameters: another case
    dict(variant="virtual"),  # another variant
    dict(status="failed"),  # a failed run is no baseline
])
def test_only_the_same_variants_ok_single_thread_run_of_the_same_case_is_the_baseline(other):
    single, four = threaded(1, 20, **other), threaded(4, 5)
    verify.check_parallelism([single, four])
    assert four.status == "ok"  # judged against T = 4, not against 20 + 3


@pytest.mark.parametrize("workers, seen, status", [(10, 9, "ok"), (10, 8, "mismatch"), (2, 2, "ok"), (2, 1, "mismatch")])
def test_ninety_percent_of_the_workers_rounded_up_must_be_seen(workers, seen, status):
    m = threaded(workers, seen)
    verify.check_parallelism([m])
    assert m.status == status


def test_processes_are_counted_with_no_baseline():
    single, two = threaded(1, 20, variant="processes", parallel="processes"), threaded(2, 2, variant="processes", parallel="processes")
    verify.check_parallelism([single, two])
    assert two.status == "ok"


@pytest.mark.parametrize("samples, outcome", [(verify.MIN_SAMPLES - 1, "too short to verify"), (verify.MIN_SAMPLES, "mismatch")])
def test_min_samples_is_the_first_count_that_is_judged(samples, outcome):
    m = threaded(4, 1, samples=samples)
    verify.check_parallelism([m])
    assert outcome in (m.reason if outcome != "mismatch" else m.status)


def test_a_backend_with_no_samples_says_nothing_was_verified():
    m = threaded(4, 0, samples=0)
    verify.check_parallelism([m])
    assert m.status == "ok" and m.reason == "4 threads not verified: nothing is sampled on the native backend"


def test_a_sequential_program_or_a_failed_row_is_not_judged():
    sequential, failed = threaded(4, 1, parallel=""), threaded(4, 1, status="failed")
    verify.check_parallelism([sequential, failed])
    assert sequential.status == "ok" and sequential.reason == "" and failed.status == "failed"


def test_a_failed_or_unverified_row_first_does_not_stop_the_check_of_the_rest():
    failed = measurement("node/c", "3")
    failed.mark("failed", "crashed")
    unverified = measurement("c/d", "unverified", rule="none")
    rows = [failed, unverified, measurement("python/a", "10"), measurement("java/b", "10"), measurement("node/e", "11")]
    verify.check_checksums(rows)
    assert [m.status for m in rows] == ["failed", "ok", "ok", "ok", "mismatch"]
    assert unverified.reason == 'output not verified (checksum = "none")'


def test_three_answers_with_a_majority_mark_the_two_others():
    rows = [measurement("python/a", "1"), measurement("java/b", "1"), measurement("node/c", "2"), measurement("c/d", "3")]
    verify.check_checksums(rows)
    assert [m.status for m in rows] == ["ok", "ok", "mismatch", "mismatch"]


def test_a_tie_names_every_other_answer():
    rows = [measurement("python/a", "1"), measurement("java/b", "2")]
    verify.check_checksums(rows)
    assert rows[0].reason == "checksum 1 disagrees with java/b=2; none has a majority"
    assert rows[1].reason == "checksum 2 disagrees with python/a=1; none has a majority"


def test_a_row_not_judged_does_not_stop_the_judging_of_the_next():
    sequential, short, unsampled = threaded(4, 1, parallel=""), threaded(4, 1, samples=3), threaded(4, 0, samples=0)
    wrong = threaded(4, 1)
    verify.check_parallelism([sequential, short, unsampled, wrong])
    assert wrong.status == "mismatch"


def test_processes_are_counted_as_processes_not_threads():
    m = threaded(2, 1, variant="processes", parallel="processes")
    m.runs = [{"threads_peak": 30, "processes_peak": 1, "samples": 100}]
    verify.check_parallelism([m])
    assert m.status == "mismatch" and "at most 1 processes" in m.reason


def test_a_measurement_with_no_runs_or_no_figure_sees_nothing():
    empty = threaded(4, 0)
    empty.runs = []
    missing = threaded(1, 0, variant="processes", parallel="processes")
    missing.runs = [{"threads_peak": None, "processes_peak": None, "samples": 100}]
    verify.check_parallelism([empty, missing])
    assert empty.status == "ok" and "not verified" in empty.reason
    assert missing.status == "mismatch" and "at most 0 processes" in missing.reason


def test_a_parallel_program_without_its_worker_parameter_needs_no_workers():
    m = threaded(4, 0)
    m.job.params = (("n", 1000),)
    verify.check_parallelism([m])
    assert m.status == "ok" and m.reason == ""


def test_a_tie_of_four_lists_the_three_others():
    rows = [measurement("python/a", "1"), measurement("java/b", "1"), measurement("node/c", "2"), measurement("c/d", "2")]
    verify.check_checksums(rows)
    assert rows[0].reason == "checksum 1 disagrees with java/b=1, node/c=2, c/d=2; none has a majority"


def test_one_process_of_a_program_without_its_worker_parameter_or_runs():
    no_parameter = threaded(4, 0, variant="processes", parallel="processes", samples=100)
    no_parameter.job.params = (("n", 1000),)  # 0 workers asked for: nothing to see
    no_runs = threaded(1, 0, variant="processes", parallel="processes")
    no_runs.runs = []  # one process asked for, nothing sampled: not verified, never taken as seen
    verify.check_parallelism([no_parameter, no_runs])
    assert no_parameter.status == "ok" and no_parameter.reason == ""
    assert no_runs.status == "ok" and "not verified" in no_runs.reason


@pytest.mark.parametrize("two_workers_seen, status", [([9, 9, 8, 10], "ok"), ([8, 7, 8, 7], "ok"), ([7, 7, 6, 7], "mismatch")])
def test_the_single_worker_baseline_is_its_runs_lower_median_not_a_run_with_passing_helper_threads(two_workers_seen, status):
    # Bun's single-worker runs of cpu_scaling saw 9, 10, 7, 7, 6, 7, 7, 8, 6, 6 threads: its runtime
    # starts helper threads now and then. The largest, 10, asked 11 of the two-worker runs, which saw
    # 8 to 10 while running twice as fast. The lower median is 7 (sorted: 6 6 6 7 7 | 7 7 8 9 10), so
    # two workers need 7 + 2 - 1 = 8, and runs that never went past 7 threads still fail.
    single, two = threaded(1, 0), threaded(2, 0)
    single.runs = [{"threads_peak": seen, "samples": 40} for seen in (9, 10, 7, 7, 6, 7, 7, 8, 6, 6)]
    two.runs = [{"threads_peak": seen, "samples": 20} for seen in two_workers_seen]
    verify.check_parallelism([single, two])
    assert two.status == status
