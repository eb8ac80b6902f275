"""Sleepers and the HTTP client fan-out run in every available language at tiny sizes, ok and agreeing."""

import pytest

from tests.conftest import require_runtime


@pytest.fixture(scope="module")
def async_run(catalogue_run):
    return [m for m in catalogue_run[0]["measurements"] if m["workload"] in ("sleepers", "fetch_pages")]


@pytest.mark.integration
@pytest.mark.parametrize("language", ["python", "java", "node"])
@pytest.mark.parametrize("workload", ["sleepers", "fetch_pages"])
def test_every_program_runs_ok(async_run, toolchain, workload, language):
    require_runtime(toolchain, language)
    rows = [m for m in async_run if m["workload"] == workload and m["language"] == language]
    assert rows
    for row in rows:
        if row["status"] == "skipped":
            assert row["reason"].startswith(("not available:", "needs Java 21")), row["reason"]
            continue
        assert row["status"] == "ok", f"{row['variant']} {row['params']}: {row['reason']}\n{row['stderr_tail']}"


@pytest.mark.integration
def test_checksums_agree_within_every_case(async_run):
    cases = {}
    for row in async_run:
        if row["status"] == "ok":
            cases.setdefault((row["workload"], tuple(sorted(row["params"].items()))), set()).add(row["checksum"])
    assert cases and all(len(sums) == 1 for sums in cases.values()), cases


@pytest.mark.integration
def test_sleepers_wait_at_least_their_sleep_and_fetches_report_their_ideal(async_run):
    for row in async_run:
        if row["status"] != "ok":
            continue
        metrics = row["runs"][0]["metrics"]
        if row["workload"] == "sleepers":
            # Timers may fire up to a clock tick early (asyncio allows its clock resolution).
            assert row["runs"][0]["work_cold_s"] >= 0.095 and metrics["overhead_s"] >= -0.005
        else:
            assert metrics["ideal_s"] == pytest.approx(20 * 0.010 / 5) and 0 < metrics["efficiency"] <= 1.05
