"""The native executor measures known memory, counts children, and kills hung trees completely."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psutil
import pytest

from harness.executors.native import run_measured
from harness.measure import cgroup
from tests.conftest import PROGRAMS

MIB = 2**20
SUPPORT = cgroup.detect()
NO_CGROUP = pytest.mark.skipif(not SUPPORT.available, reason=f"no cgroup here: {SUPPORT.reason}")
# The [cgroup] id skips, saying why, where there is none: it never re-runs the sampled path under its name.
METHODS = [pytest.param(SUPPORT, id="cgroup", marks=NO_CGROUP), pytest.param(cgroup.Support(None, {}, "off"), id="sampled")]


def run(program, *args, support=SUPPORT, timeout=60):
    return run_measured([sys.executable, str(PROGRAMS / program), *args], None, timeout, 0.005, support)


def leftovers(tag):
    """Processes whose command line carries ``tag``."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if tag in (process.info["cmdline"] or []):
            found.append(process)
    return found


@pytest.mark.parametrize("support", METHODS)
def test_a_known_amount_of_memory_is_measured_within_two_percent(support):
    baseline = run("hold_memory.py", "mb=0", support=support)
    holding = run("hold_memory.py", "mb=200", support=support)
    assert holding.exit_code == 0, holding.stderr
    grown = holding.peak_rss_bytes - baseline.peak_rss_bytes
    assert grown == pytest.approx(200 * MIB, rel=0.02)


@pytest.mark.skipif(not Path("/usr/bin/time").exists(), reason="GNU time missing (apt-get install time)")
def test_a_single_process_peak_agrees_with_gnu_time():
    timed = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, str(PROGRAMS / "hold_memory.py"), "mb=200"],
                           capture_output=True, text=True, check=True)
    gnu_time_bytes = int(timed.stderr.strip().splitlines()[-1]) * 1024
    assert run("hold_memory.py", "mb=200").peak_rss_bytes == pytest.approx(gnu_time_bytes, rel=0.02)


@pytest.mark.skipif(not SUPPORT.available, reason=f"no cgroup here: {SUPPORT.reason}")
def test_the_cgroup_peak_matches_the_known_amount():
    baseline = run("hold_memory.py", "mb=0")
    holding = run("hold_memory.py", "mb=200")
    assert holding.memory_method.startswith("cgroup-v")
    grown = holding.cgroup["peak_bytes"] - baseline.cgroup["peak_bytes"]
    assert grown == pytest.approx(200 * MIB, rel=0.02)
    assert holding.cgroup["cpu_s"] > 0


@pytest.mark.parametrize("support", METHODS)
def test_children_are_counted_in_the_peak(support):
    result = run("children_hold_memory.py", "children=4", "mb=100", support=support)
    assert result.exit_code == 0, result.stderr
    assert result.peak_rss_bytes >= 400 * MIB
    assert result.peak_memory_bytes >= 400 * MIB  # the headline counts the tree (PSS), not one process
    assert result.processes_peak >= 5


@NO_CGROUP
def test_the_cgroup_peak_counts_the_children_too():
    result = run("children_hold_memory.py", "children=4", "mb=100")
    assert result.exit_code == 0, result.stderr
    assert result.cgroup["peak_bytes"] >= 400 * MIB


@pytest.mark.parametrize("support", METHODS)
def test_a_hanging_tree_is_killed_at_its_timeout_with_nothing_left(support):
    tag = f"lab-test-{uuid.uuid4().hex}"
    result = run("hang.py", tag, support=support, timeout=1.5)
    assert result.timed_out
    assert 1.5 <= result.wall_s < 10
    assert result.stdout.startswith("started")
    assert leftovers(tag) == []


def test_exit_status_cpu_and_context_switches_come_from_wait4():
    result = run_measured([sys.executable, "-c", "import sys; sum(range(3_000_000)); sys.exit(3)"], None, 60, 0.005, SUPPORT)
    assert result.exit_code == 3
    assert result.cpu_user_s > 0
    assert result.ctx_voluntary + result.ctx_involuntary > 0
    assert result.threads_peak >= 1


@pytest.mark.skipif(not SUPPORT.available, reason=f"no cgroup here: {SUPPORT.reason}")
def test_run_cgroups_of_a_harness_that_is_gone_are_killed_and_removed_at_start():
    gone = 4_000_000  # above any pid_max: no live harness has it
    stale = [parent / f"run-{gone}-deadbeef" for parent in SUPPORT.parents.values()]
    for directory in stale:
        directory.mkdir()
    mine = cgroup.RunCgroup(SUPPORT)
    try:
        cgroup.detect()
        assert not any(directory.exists() for directory in stale)
        assert all(directory.exists() for directory in mine.dirs.values())  # a live harness's cgroup stays
    finally:
        mine.remove()


@pytest.mark.skipif(not SUPPORT.available or SUPPORT.version != 1, reason="cgroup v1 nesting")
def test_run_cgroups_nest_under_the_harness_own_memory_cgroup():
    own = cgroup._own_v1_paths()["memory"].strip("/")
    assert str(SUPPORT.parents["memory"]) == str(cgroup.ROOT / "memory" / own / cgroup.PARENT).replace("//", "/")


# CPU work measured in CPU time, not in loop counts: the same on a fast and a slow machine.
BURN = "import time\nstart = time.process_time()\nwhile time.process_time() - start < 0.6:\n    pass"


@NO_CGROUP
def test_a_window_counts_the_cpu_of_children_that_ended_inside_it(tmp_path):
    from harness.executors.native import Spawned
    from harness.measure.sampler import Window

    go, done = tmp_path / "go", tmp_path / "done"
    os.mkfifo(go)
    os.mkfifo(done)
    # The program waits for the window to open (a FIFO), runs a child that burns 0.6 s of CPU,
    # says so once the child has ended (another FIFO), then idles until it is killed.
    burner = (f"import subprocess, sys, time\nopen({str(go)!r}).read()\n"
              f"subprocess.run([sys.executable, '-c', {BURN!r}], check=True)\n"
              f"with open({str(done)!r}, 'w') as fifo:\n    fifo.write('done')\ntime.sleep(120)")
    spawned = Spawned([sys.executable, "-c", burner], None, SUPPORT, 0.005)
    try:
        window = Window(spawned.sampler, spawned.group)
        go.write_text("go")  # blocks until the program reads
        assert done.read_text() == "done"  # blocks until the child has ended
        figures = window.end()
    finally:
        spawned.kill()
        spawned.finish(*spawned.wait(), timed_out=False)
    assert figures["cgroup_cpu_s"] >= 0.6
    assert figures["cpu_user_s"] + figures["cpu_sys_s"] < figures["cgroup_cpu_s"] / 2  # /proc never saw the child


@pytest.mark.skipif(not Path("/usr/bin/time").exists(), reason="GNU time missing (apt-get install time)")
def test_gnu_time_sees_only_the_largest_process_of_that_tree():
    """What the headline adds: GNU time's %M of the same four children is the largest one alone."""
    done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, str(PROGRAMS / "children_hold_memory.py"),
                           "children=4", "mb=100"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stderr.split()[-1]) * 1024 < 150 * MIB
