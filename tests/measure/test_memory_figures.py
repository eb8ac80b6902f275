"""The figures a user reproduces by hand: the clock starts at the program's exec, the headline peak
of one process is GNU time's %M, and a tree's headline counts the pages its processes share once."""

import os
import shutil
import statistics
import subprocess
import sys
import time

import pytest

from harness.executors.native import run_measured
from harness.measure import cgroup

pytestmark = pytest.mark.integration

MIB = 2**20
SUPPORT = cgroup.detect()

ALLOCATE = "x = bytearray({mib} * 2**20)\nx[::4096] = b'\\x01' * (len(x) // 4096)\n"
# A parent that touches a large buffer, then forks two children that only read it and allocate
# 60 MiB of their own: their resident sizes count the buffer three times, their proportional set
# sizes once. At the peak the parent prints the tree's Pss, read directly from smaps_rollup, then
# all hold still while the lab samples.
SHARED_TREE = ALLOCATE.format(mib=150) + """
import os, sys, time
read, write = os.pipe()
children = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        total = sum(x[::4096])  # read every page, write none
        own = bytearray(60 * 2**20)
        own[::4096] = b"\x01" * (len(own) // 4096)
        os.write(write, b"r")
        time.sleep(1.0)
        os._exit(0)
    children.append(pid)
os.read(read, 1); os.read(read, 1)
def pss(pid):
    for line in open(f"/proc/{pid}/smaps_rollup"):
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
print(sum(pss(pid) for pid in [os.getpid(), *children]), flush=True)
for pid in children:
    os.waitpid(pid, 0)
"""


def lab(argv, support=SUPPORT):
    result = run_measured(argv, None, 60, 0.005, support)
    assert result.exit_code == 0, result.stderr
    return result


def bare_wall(argv):
    started = time.perf_counter()
    pid = os.posix_spawn(shutil.which(argv[0]), argv, os.environ)
    os.wait4(pid, 0)
    return time.perf_counter() - started


def test_the_clock_starts_at_the_programs_exec_not_before_the_harness_forks():
    """A no-op through the lab (cgroup, sampler and pipes included) is within a few ms of its bare
    spawn: before the gate, the fork of the harness and the cgroup attach added about 10 ms."""
    lab_walls, bare_walls = [], []
    for _ in range(9):
        lab_walls.append(lab(["true"]).wall_s)
        bare_walls.append(bare_wall(["true"]))
    assert statistics.median(lab_walls) < statistics.median(bare_walls) + 0.004, (lab_walls, bare_walls)


@pytest.mark.skipif(not os.path.exists("/usr/bin/time"), reason="GNU time missing (apt-get install time)")
def test_one_process_headline_peak_is_gnu_times_max_resident_size_within_two_percent():
    argv = [sys.executable, "-c", ALLOCATE.format(mib=200)]
    result = lab(argv)
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], capture_output=True, text=True, check=True)
    gnu_time = int(done.stderr.split()[-1]) * 1024
    assert result.processes_peak == 1
    assert abs(result.peak_memory_bytes / gnu_time - 1) < 0.02, (result.peak_memory_bytes, gnu_time, result.peak_memory_method)


# With a cgroup the tree's PSS is followed through the cgroup's anonymous memory between readings
# of smaps_rollup; without one smaps_rollup is read every few samples. Both must be the direct reading.
TREE_METHODS = [pytest.param(SUPPORT, id="cgroup", marks=pytest.mark.skipif(not SUPPORT.available, reason=SUPPORT.reason)),
                pytest.param(cgroup.Support(None, {}, "off"), id="sampled")]


@pytest.mark.parametrize("support", TREE_METHODS)
def test_a_trees_headline_peak_counts_shared_pages_once(support):
    result = lab([sys.executable, "-c", SHARED_TREE], support)
    direct_pss = int(result.stdout.split()[-1])
    assert result.processes_peak == 3
    assert result.peak_memory_method == "PSS of the tree, sampled"
    assert abs(result.peak_memory_bytes / direct_pss - 1) < 0.03, (result.peak_memory_bytes, direct_pss)
    # Summed RSS counts the 150 MiB three times; the headline once (150 + 2 x 60 and the interpreters).
    assert result.rss_sampled_peak_bytes > 500 * MIB
    assert result.peak_memory_bytes < 330 * MIB
