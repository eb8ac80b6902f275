"""Exit codes say who failed (issue 27): 0 every row ok, 1 some row failed, 2 bad input or
environment, 3 a defect of the lab (one line naming the log with its traceback). Signals (130,
128 + N) are held by tests/measure/test_interrupt.py; every test here is a real process."""

import os
import subprocess
import sys

import pytest

from tests.conftest import PROGRAMS, ROOT, run_cli

SUITE = """
[workloads.codes]
family = "t"
question = "Which exit code?"
[[workloads.codes.programs]]
language = "python"
variant = "{mode}"
source = "{programs}/faulty.py"
args = {{ mode = "{mode}", tag = "exit-codes" }}
"""


@pytest.mark.parametrize("mode, code", [("right", 0), ("crash", 1)])
def test_0_when_every_row_is_ok_and_1_when_some_row_failed(tmp_path, mode, code):
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE.format(mode=mode, programs=PROGRAMS))
    done = run_cli("compare", "--suite", suite, "--out", tmp_path / "out", "--runs", "1", "--warmup", "0", "-q")
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr


def test_2_for_bad_input():
    done = run_cli("compare", "--only", "nope")
    assert done.returncode == 2 and done.stderr.startswith("error: unknown workload 'nope'")


def test_3_for_a_defect_of_the_lab_with_the_traceback_in_a_log(tmp_path):
    crash = ("import sys\nfrom harness import cli\n"
             "def broken(options):\n    raise RuntimeError('an invariant broke')\n"
             "cli.cmd_list = broken\nsys.exit(cli.main(['list']))\n")
    done = subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)})
    assert done.returncode == 3, done.stderr
    [line] = done.stderr.strip().splitlines()
    logs = list((tmp_path / "runtime-lab" / "logs").glob("lab-error-*.log"))
    assert len(logs) == 1 and str(logs[0]) in line and "RuntimeError: an invariant broke" in line
    assert "Traceback" in logs[0].read_text() and "in broken" in logs[0].read_text()


def test_a_defect_with_no_writable_folder_still_ends_with_exit_3(tmp_path):
    crash = ("import sys, tempfile\nfrom pathlib import Path\nfrom harness import cli\n"
             "cli.CACHE = Path('/proc/no-such-folder')\ntempfile.tempdir = '/proc/no-such-folder'\n"
             "cli.cmd_list = lambda options: 1 / 0\nsys.exit(cli.main(['list']))\n")
    done = subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 3
    assert "no log file could be written" in done.stderr and "ZeroDivisionError" in done.stderr


def test_0_when_the_reader_goes_away():
    read, write = os.pipe()
    os.close(read)  # `| head` that has already ended: every write is EPIPE
    try:
        done = subprocess.run([sys.executable, "-m", "harness", "list"], stdout=write, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT, timeout=120)
    finally:
        os.close(write)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
