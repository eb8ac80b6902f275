"""Ctrl-C, SIGTERM or SIGHUP during a comparison keeps every finished measurement and leaves no process behind."""

import json
import select
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import PROGRAMS, ROOT, wait_for
from tests.measure.test_native import NO_CGROUP, SUPPORT, leftovers

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


def ignores(pid: int, signum: int) -> bool:
    """Whether process ``pid`` ignores ``signum`` (the SigIgn mask of /proc/PID/status)."""
    status = Path(f"/proc/{pid}/status").read_text()
    mask = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigIgn:")), 16)
    return bool(mask >> (signum - 1) & 1)


@pytest.mark.parametrize("signum, exit_code, said", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "stopped by SIGTERM"),
                                                     (signal.SIGHUP, 129, "stopped by SIGHUP")])
def test_a_signal_keeps_finished_runs_and_kills_the_running_one(tmp_path, signum, exit_code, said):
    tag = f"tag={uuid.uuid4().hex}"
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE.format(programs=PROGRAMS, tag=tag.split("=")[1]))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "harness", "compare", "--suite", suite, "--out", out, "--runs", "1", "--warmup", "0",
               "--seed", "0", "-v"]
    harness = subprocess.Popen(list(map(str, command)), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: len(leftovers(tag)) >= 2, "the hanging program and its child never started")
    # -v prints a line per finished run: the quick row's must be there before the hang began.
    assert select.select([harness.stderr], [], [], 0)[0], "no run finished before the hanging one: --seed 0 no longer runs quick first"
    first = harness.stderr.readline()
    while first.startswith("warning:"):  # e.g. that --runs 1 is too few for the sequential interval
        first = harness.stderr.readline()
    assert first.startswith("[1/2] quick "), first
    harness.send_signal(signum)
    _, rest = harness.communicate(timeout=60)
    stderr = first + rest
    assert harness.returncode == exit_code, stderr
    assert said in stderr and "Traceback" not in stderr
    assert leftovers(tag) == []
    document = json.loads(next(out.glob("runs/*/results.json")).read_text())
    statuses = {m["workload"]: m["status"] for m in document["measurements"]}
    assert statuses["quick"] == "ok"
    assert statuses["slow"] == "not run"  # interrupted before it was measured
    assert (out / "latest" / "results.md").exists()


@NO_CGROUP
def test_a_second_ctrl_c_during_the_clean_up_leaves_no_cgroup_and_no_process(tmp_path):
    tag = f"tag={uuid.uuid4().hex}"
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE.format(programs=PROGRAMS, tag=tag.split("=")[1]))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "harness", "compare", "--suite", suite, "--out", out, "--runs", "1", "--warmup", "0",
               "--seed", "0", "--only", "slow"]
    harness = subprocess.Popen(list(map(str, command)), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: len(leftovers(tag)) >= 2, "the hanging program and its child never started")
    harness.send_signal(signal.SIGINT)
    # The first Ctrl-C is handled once the harness ignores the stop signals (its handler's first
    # act); only then is the second one sure not to merge with it, and to land in the clean-up.
    wait_for(lambda: ignores(harness.pid, signal.SIGINT), "the first Ctrl-C was never handled")
    harness.send_signal(signal.SIGINT)
    _, stderr = harness.communicate(timeout=60)
    assert harness.returncode == 130 and "Traceback" not in stderr, stderr
    assert leftovers(tag) == []
    assert [d for parent in SUPPORT.parents.values() for d in parent.glob(f"run-{harness.pid}-*")] == []
