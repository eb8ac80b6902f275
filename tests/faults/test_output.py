"""A program that floods its output: nothing grows on disk, its memory is its own, its result is still read."""

import sys

import pytest

from harness.executors.native import Spawned, run_measured
from harness.measure.capture import KEEP
from harness.run.measurement import run_record
from tests.conftest import PROGRAMS, flawed_http_suite, only_run, run_cli, wait_for
from tests.measure.test_native import METHODS, NO_CGROUP, SUPPORT

MIB = 2**20


@pytest.mark.parametrize("support", METHODS)
def test_a_200_mib_flood_keeps_head_and_tail_and_the_result_line(support):
    result = run_measured([sys.executable, str(PROGRAMS / "flood.py"), "200"], None, 120, 0.005, support)
    assert result.exit_code == 0
    assert result.output_dropped_bytes >= 200 * MIB - 2 * KEEP
    assert len(result.stdout) < 3 * KEEP and "bytes of output not kept" in result.stdout
    assert run_record(result)["checksum"] == "1"  # the last line survived


@NO_CGROUP
def test_the_page_cache_of_a_flood_is_not_counted_as_the_programs_memory():
    result = run_measured([sys.executable, str(PROGRAMS / "flood.py"), "200"], None, 120, 0.005, SUPPORT)
    assert result.exit_code == 0
    assert result.cgroup["peak_bytes"] < 100 * MIB


def test_a_server_ready_line_is_seen_while_it_runs():
    server = "import time; print('{\"ready\": true, \"port\": 1}', flush=True); time.sleep(30)"
    spawned = Spawned([sys.executable, "-c", server], None, SUPPORT, 0.005)
    try:
        wait_for(lambda: '"ready": true' in spawned.stdout_so_far(), "the ready line was never seen", timeout_s=10)
    finally:
        spawned.kill()
        spawned.finish(*spawned.wait(), timed_out=False)


def test_a_server_that_corrupts_one_response_in_1000_under_load_fails(tmp_path):
    suite = flawed_http_suite(tmp_path / "suite.toml", "corrupt", duration_s=1)
    done = run_cli("compare", "--suite", suite, "--out", tmp_path / "out", "--runs", "1")
    row = only_run(tmp_path / "out")["measurements"][0]
    assert row["status"] == "failed" and "mismatch" in row["reason"], row["reason"]
    assert done.returncode == 1
