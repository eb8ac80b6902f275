"""Ctrl-C, SIGTERM or SIGHUP during a comparison keeps every finished measurement and leaves no process behind."""

import json
import signal
import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import PROGRAMS, ROOT
from tests.measure.test_native import leftovers

SUITE = """
[workloads.quick]
family = "t"
question = "finishes"
[[workloads.quick.programs]]
language = "python"
source = "{programs}/hold_memory.py"

[workloads.slow]
family = "t"
question = "hangs until interrupted"
[[workloads.slow.programs]]
language = "python"
source = "{programs}/hang.py"
args = {{ tag = "{tag}" }}
"""


@pytest.mark.parametrize("signum, exit_code, said", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "stopped by SIGTERM"),
                                                     (signal.SIGHUP, 129, "stopped by SIGHUP")])
def test_a_signal_keeps_finished_runs_and_kills_the_running_one(tmp_path, signum, exit_code, said):
    tag = f"tag={uuid.uuid4().hex}"
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE.format(programs=PROGRAMS, tag=tag.split("=")[1]))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "harness", "compare", "--suite", suite, "--out", out, "--runs", "1", "--warmup", "0", "--seed", "0"]  # seed 0 runs quick first
    harness = subprocess.Popen(list(map(str, command)), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not leftovers(tag) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert leftovers(tag), "the hanging program never started"
    time.sleep(0.5)
    harness.send_signal(signum)
    _, stderr = harness.communicate(timeout=60)
    assert harness.returncode == exit_code, stderr
    assert said in stderr and "Traceback" not in stderr
    assert leftovers(tag) == []
    document = json.loads(next(out.glob("runs/*/results.json")).read_text())
    statuses = {m["workload"]: m["status"] for m in document["measurements"]}
    assert statuses["quick"] == "ok"
    assert statuses["slow"] == "skipped"
    assert (out / "latest" / "results.md").exists()


def test_a_second_ctrl_c_during_the_clean_up_leaves_no_cgroup_and_no_process(tmp_path):
    from harness.measure import cgroup

    support = cgroup.detect()
    tag = f"tag={uuid.uuid4().hex}"
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE.format(programs=PROGRAMS, tag=tag.split("=")[1]))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "harness", "compare", "--suite", suite, "--out", out, "--runs", "1", "--warmup", "0",
               "--seed", "0", "--only", "slow"]
    harness = subprocess.Popen(list(map(str, command)), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not leftovers(tag) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert leftovers(tag), "the hanging program never started"
    harness.send_signal(signal.SIGINT)
    time.sleep(0.002)
    harness.send_signal(signal.SIGINT)
    _, stderr = harness.communicate(timeout=60)
    assert harness.returncode == 130 and "Traceback" not in stderr, stderr
    assert leftovers(tag) == []
    mine = [d for parent in support.parents.values() for d in parent.glob(f"run-{harness.pid}-*")] if support.available else []
    assert mine == []
