"""Every program of a case must print the same checksum; the odd one out is marked mismatch."""

from types import SimpleNamespace

from harness import verify
from harness.measurement import Measurement


def measurement(label, checksum, case=("w", ())):
    language, variant = label.split("/")
    program = SimpleNamespace(label=label, language=language, variant=variant)
    job = SimpleNamespace(case=case, program=program)
    m = Measurement(job)
    m.checksum = checksum
    return m


def test_the_minority_is_marked_and_names_the_majority():
    rows = [measurement("python/a", "10"), measurement("java/b", "10"), measurement("node/c", "11")]
    verify.check_checksums(rows)
    assert [m.status for m in rows] == ["ok", "ok", "mismatch"]
    assert "differs from 10 printed by python/a, java/b" in rows[2].reason


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
