"""Every memory workload runs in every available language at tiny sizes, ok and agreeing."""

import pytest

from harness import catalogue
from tests.conftest import TINY_CATALOGUE, require_runtime, rows_of

MEMORY = [w for w in catalogue.load().workloads.values() if w.family == "memory"]


@pytest.fixture(scope="module")
def memory_run(catalogue_run):
    return rows_of(catalogue_run, "memory")


@pytest.mark.integration
@pytest.mark.parametrize("language", ["python", "java", "node"])
@pytest.mark.parametrize("workload", [w.name for w in MEMORY])
def test_every_program_runs_ok(memory_run, toolchain, workload, language):
    require_runtime(toolchain, language)
    rows = [m for m in memory_run if m["workload"] == workload and m["language"] == language]
    assert rows, f"{workload} has no {language} program"
    for row in rows:
        assert row["status"] == "ok", f"{row['variant']}: {row['reason']}\n{row['stderr_tail']}"
        run = row["runs"][0]
        assert run["work_s"] and run["peak_rss_bytes"] > 1e6 and run["metrics"]


@pytest.mark.integration
@pytest.mark.parametrize("workload", [w.name for w in MEMORY])
def test_checksums_are_equal_across_languages(memory_run, workload):
    rows = [m for m in memory_run if m["workload"] == workload and m["status"] != "skipped"]
    assert len({row["checksum"] for row in rows}) == 1, {f"{r['language']}/{r['variant']}": r["checksum"] for r in rows}


@pytest.mark.integration
def test_gc_off_keeps_the_cycles_and_gc_on_frees_them(memory_run):
    rows = {m["variant"]: m for m in memory_run if m["workload"] == "cyclic_garbage" and m["language"] == "python"}
    left = {variant: row["runs"][0]["metrics"]["uncollected_objects"] for variant, row in rows.items()}
    assert left["gc_off"] >= 2 * TINY_CATALOGUE["m"]  # two objects per pair, never freed, counted per iteration
    assert left["gc_on"] < left["gc_off"]


@pytest.mark.integration
def test_footprint_reports_bytes_per_object_in_every_language(memory_run):
    rows = [m for m in memory_run if m["workload"] == "object_footprint" and m["status"] == "ok"]
    for row in rows:
        assert 8 < row["runs"][0]["metrics"]["bytes_per_object"] < 1000, row["variant"]
