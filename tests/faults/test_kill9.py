"""kill -9 of the harness leaves nothing running: the watchdog (harness/measure/watchdog.py) kills
every program, server and load generator it started and removes their cgroups within about a
second, and the results file keeps the finished runs, readable by ``report``."""

import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

from harness.cli import main
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

SUITE = """
[workloads.hangs]
family = "t"
question = "Does anything it started outlive a harness killed with -9?"
[[workloads.hangs.programs]]
language = "python"
command = ["{{python}}", "-c", "import os, time; os.fork(); time.sleep(120)", "{tag}"]
checksum = "none"
"""


def start(args, out):
    command = [sys.executable, "-m", "harness", "compare", "--out", str(out), "--runs", "1", "--warmup", "0", "--quiet", *args]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(condition, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def descendants(pid):
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def tagged(pid, tag):
    """The processes under ``pid`` whose command line carries ``tag``."""
    found = []
    for process in descendants(pid):
        try:
            if tag in " ".join(process.cmdline()):
                found.append(process)
        except psutil.Error:  # gone, or a zombie, between the listing and the read
            continue
    return found


def still_running(processes):
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.Error:
            continue
    return alive


def cgroups_of(pid):
    return list(Path("/sys/fs/cgroup").glob(f"*/runtime-lab/run-{pid}-*")) + list(Path("/sys/fs/cgroup").glob(f"runtime-lab/run-{pid}-*"))


def test_kill_9_during_a_command_row_leaves_no_process_and_no_cgroup(tmp_path):
    tag = uuid.uuid4().hex
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE.format(tag=tag))
    harness = start(["--suite", str(suite)], tmp_path / "out")
    wait_for(lambda: len(tagged(harness.pid, tag)) >= 2)  # the program and the child it forked
    children = descendants(harness.pid)
    harness.send_signal(signal.SIGKILL)
    harness.wait()
    wait_for(lambda: not still_running(children), timeout=3)
    wait_for(lambda: not cgroups_of(harness.pid), timeout=3)
    run_dir = next((tmp_path / "out" / "runs").iterdir())
    assert main(["report", str(run_dir)]) == 0
    rows = json.loads((run_dir / "results.json").read_text())["measurements"]
    assert [row["runs"] for row in rows] == [[]]  # nothing finished, nothing invented


def test_kill_9_during_tcp_echo_stops_the_server_and_the_load_generator(tmp_path):
    harness = start(["--only", "tcp_echo", "--lang", "python", "--variant", "streams", "--param", "connections=4",
                     "--param", "duration_s=20"], tmp_path / "out")

    def listening():
        found = []
        for process in descendants(harness.pid):
            try:
                found += [c.laddr.port for c in process.net_connections("tcp") if c.status == psutil.CONN_LISTEN]
            except psutil.Error:
                continue
        return found

    ports = wait_for(listening, timeout=120)
    wait_for(lambda: len(descendants(harness.pid)) >= 2, timeout=60)  # the server and the load generator
    children = descendants(harness.pid)
    harness.send_signal(signal.SIGKILL)
    harness.wait()
    wait_for(lambda: not still_running(children), timeout=3)
    listeners = {c.laddr.port for c in psutil.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
    assert not set(ports) & listeners
    assert not cgroups_of(harness.pid)
