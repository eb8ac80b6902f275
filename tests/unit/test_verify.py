"""Every program of a case must print the same checksum; the odd one out is marked mismatch."""

from types import SimpleNamespace

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
