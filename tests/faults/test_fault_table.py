"""The fault table: each way a program can go wrong, run through the CLI, ends with the right row
status, the right harness exit code, and no process or cgroup left behind."""

import uuid

import psutil
import pytest

from harness.measure import cgroup
from tests.conftest import PROGRAMS, only_run, run_cli
from tests.measure.test_native import leftovers

SUPPORT = cgroup.detect()
MODES = {  # mode -> (row status, words in its reason)
    "crash": ("failed", "ended with exit code 1: boom"),
    "nojson": ("failed", "last stdout line is not JSON"),
    "badjson": ("failed", "last stdout line is not JSON"),
    "nullsum": ("failed", "has no 'checksum'"),
    "nanwork": ("failed", "finite, non-negative"),
    "wrong": ("mismatch", "differs from 1"),
    "ignore_term": ("timeout", "killed after the 2 s timeout"),
}


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("faults")
    tag = uuid.uuid4().hex
    programs = "".join(f"""
[[workloads.faults.programs]]
language = "python"
variant = "{mode}"
source = "{PROGRAMS / 'faulty.py'}"
args = {{ mode = "{mode}", tag = "{tag}" }}
""" for mode in [*MODES, "right", "right_again"])
    suite = out / "suite.toml"
    suite.write_text('[workloads.faults]\nfamily = "t"\nquestion = "Does each fault end as it should?"\n'
                     + programs.replace('mode = "right_again"', 'mode = "right"'))
    done = run_cli("compare", "--suite", suite, "--out", out, "--runs", "1", "--warmup", "0", "--timeout", "2")
    rows = {m["variant"]: m for m in only_run(out)["measurements"]}
    return done, rows, tag


@pytest.mark.parametrize("mode", list(MODES))
def test_each_fault_gets_its_status_and_reason(fault_run, mode):
    _, rows, _ = fault_run
    status, reason = MODES[mode]
    assert rows[mode]["status"] == status and reason in rows[mode]["reason"], rows[mode]["reason"]


def test_the_harness_exits_1_leaving_no_process_and_no_cgroup(fault_run):
    done, rows, tag = fault_run
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert rows["right"]["status"] == rows["right_again"]["status"] == "ok"
    assert leftovers(f"tag={tag}") == []


@pytest.mark.skipif(not SUPPORT.available, reason=f"no cgroup here: {SUPPORT.reason}")
def test_the_harness_leaves_no_cgroup(fault_run):
    assert fault_run[0].returncode == 1
    # A run cgroup is named run-<harness pid>-...: one whose harness has exited was left behind
    # (other harnesses on this machine may be running: theirs are alive and not counted).
    assert [d for parent in SUPPORT.parents.values() for d in parent.glob("run-*")
            if not psutil.pid_exists(int(d.name.split("-")[1]))] == []
