"""Results files that are corrupt, half-written or unwritable: a one-line message and exit 2, never a traceback."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, run_cli

FIXTURE = ROOT / "tests" / "fixtures" / "results.json"


def run_dir_with(tmp_path, content: bytes):
    run = tmp_path / "run"
    run.mkdir()
    (run / "results.json").write_bytes(content)
    return run


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe not utf-8", "is not valid JSON"),
    (b'{"schema": 2, "measurements": [', "is not valid JSON"),
    (b'{"schema": 2, "measurements": [7]}', "measurement 0 is not an object"),
    (b'{"schema": 2, "measurements": [{"workload": "w"}]}', "measurement 0 has no 'language'"),
])
def test_a_corrupt_results_file_is_a_one_line_error(tmp_path, content, message):
    done = run_cli("report", run_dir_with(tmp_path, content))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_run_that_never_finished_shows_its_unmeasured_rows_as_not_run(tmp_path):
    document = json.loads(FIXTURE.read_text())
    document["finished"] = None
    document["measurements"][0]["runs"] = []
    document["measurements"][0]["status"] = "ok"
    run = run_dir_with(tmp_path, json.dumps(document).encode())
    done = run_cli("report", run)
    assert done.returncode == 0, done.stderr
    markdown = (run / "results.md").read_text()
    assert "not run" in markdown and "the run ended before this row was measured" in markdown


# Root writes through permission bits, so as root the folder is made read-only the way a
# read-only mount is: bound read-only onto itself in a mount namespace of the command's own.
READ_ONLY_AS_ROOT = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


def test_a_read_only_out_is_a_one_line_error(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    command = [sys.executable, "-m", "harness", "compare", "--suite", str(ROOT / "tests" / "suite" / "suite.toml"),
               "--out", str(out), "--runs", "1"]
    if os.geteuid() == 0:
        command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", READ_ONLY_AS_ROOT, str(out), *command]
    else:
        out.chmod(0o500)
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    finally:
        out.chmod(0o700)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "choose a writable --out" in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_write_that_fails_mid_run_is_a_store_error_not_a_traceback(tmp_path):
    from harness.errors import StoreError
    from harness.results import store

    results = store.ResultsStore(tmp_path, "run-1", {}, {}, {})
    shutil.rmtree(results.run_dir)  # the folder went away (a full disk or a read-only mount behaves alike)
    with pytest.raises(StoreError, match=r"cannot write .*results\.json"):
        results.save([])
