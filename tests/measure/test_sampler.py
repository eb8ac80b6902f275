"""The sampler's cheap readings are the same figures as the costly ones they replace."""

import os
import subprocess
import sys

import pytest

from harness.measure import cgroup
from harness.measure import sampler as sampler_module
from harness.measure.sampler import _cgroup_pids, _OpenFiles, _PssFollower

SUPPORT = cgroup.detect()
NO_CGROUP = pytest.mark.skipif(not SUPPORT.available, reason=f"no cgroup here: {SUPPORT.reason}")
# Grows by 64 MiB when told (a line on stdin), says so, and waits for a second line.
GROW = ("import sys\nsys.stdin.readline()\nx = bytearray(64 * 2**20)\nx[::4096] = b'1' * (len(x) // 4096)\n"
        "print('grown', flush=True)\nsys.stdin.readline()\n")


def test_a_proc_file_kept_open_reads_the_current_figures_and_nothing_once_the_process_has_gone():
    child = subprocess.Popen([sys.executable, "-c", GROW], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    files = _OpenFiles("stat")
    try:
        first = sampler_module._parse_stat(files.read(child.pid))
        child.stdin.write("grow\n")
        child.stdin.flush()
        assert child.stdout.readline() == "grown\n"
        later = sampler_module._parse_stat(files.read(child.pid))
        assert later[0] > first[0] + 60 * 2**20  # read again from its start, not the first read kept
    finally:
        child.kill()
        child.wait()
    assert files.read(child.pid) == b"" and child.pid not in files.fds
    files.close()


@NO_CGROUP
def test_the_cgroups_processes_include_one_that_joined_after_an_earlier_read():
    """On cgroup v1 a cgroup.procs read again from its start still lists its first read's processes."""
    group = SUPPORT.create()
    first = subprocess.Popen(["sleep", "5"])
    second = None
    try:
        group.add(first.pid)
        path = os.path.join(group.memory_dir, "cgroup.procs")
        assert _cgroup_pids(path) == [first.pid]
        second = subprocess.Popen(["sleep", "5"])
        group.add(second.pid)
        assert sorted(_cgroup_pids(path)) == sorted([first.pid, second.pid])
    finally:
        for child in (first, second):
            if child:
                child.kill()
                child.wait()
        group.remove()


def test_without_pss_anon_the_follower_gives_up_and_returns_the_whole_pss(monkeypatch):
    monkeypatch.setattr(sampler_module, "_read_text", lambda path: b"7f-7e ---p [rollup]\nRss: 900 kB\nPss: 300 kB\n")
    follower = _PssFollower()
    follower.follow([1, 2], anon=10)
    assert not follower.usable  # the sampler then reads the whole PSS itself


def test_the_follower_adds_the_file_share_of_its_last_reading_to_the_anonymous_memory(monkeypatch):
    monkeypatch.setattr(sampler_module, "_read_text", lambda path: b"x\nPss: 300 kB\nPss_Anon: 200 kB\n")
    follower = _PssFollower()
    assert follower.follow([1, 2], anon=400 * 1024) == (400 + 200) * 1024  # two processes, 100 kB of files each
    assert follower.follow([1, 2], anon=900 * 1024) == (900 + 200) * 1024  # not read again: followed
    assert follower.usable


def test_a_process_that_started_since_the_last_reading_is_given_the_mean_file_share(monkeypatch):
    monkeypatch.setattr(sampler_module, "_read_text", lambda path: b"x\nPss: 300 kB\nPss_Anon: 200 kB\n")
    follower = _PssFollower()
    follower.follow([1, 2], anon=0)
    assert follower.follow([1, 2, 3], anon=0) == 300 * 1024  # three processes of 100 kB of file pages each
    assert follower.follow([1], anon=0) == 100 * 1024  # those that ended count no more


def test_a_reading_is_of_the_process_read_longest_ago(monkeypatch):
    read = []
    monkeypatch.setattr(sampler_module, "_read_text", lambda path: read.append(path) or b"x\nPss: 3 kB\nPss_Anon: 2 kB\n")
    monkeypatch.setattr(sampler_module, "PSS_REFRESH_EVERY", 1)
    follower = _PssFollower()
    for _ in range(4):
        follower.follow([1, 2, 3], anon=0)
        follower.not_before = 0.0  # as if the time it may spend reading had passed
    assert read == [f"/proc/{pid}/smaps_rollup" for pid in (1, 2, 3, 1)]


def test_the_first_second_is_sampled_at_the_interval_from_the_start():
    # A sparser start missed a short Python program's RSS peak by 9 % against GNU time in CI.
    moments, elapsed = [], 0.0
    for _ in range(6):
        elapsed += sampler_module.interval_at(0.01, elapsed)
        moments.append(round(elapsed * 1000))
    assert moments == [10, 20, 30, 40, 50, 60]
    assert sampler_module.interval_at(0.01, 2.0) == pytest.approx(0.02)  # later: wider with the time run


def test_a_calm_process_is_sampled_at_twice_the_interval_after_four_samples_then_doubling_to_the_slowest():
    def interval_ms(calm, elapsed=0.0):
        return round(1000 * sampler_module.calm_interval(0.01, elapsed, calm), 6)
    assert [interval_ms(calm) for calm in range(10)] == [10, 10, 10, 10, 20, 20, 40, 40, 50, 50]
    assert interval_ms(0, elapsed=3.0) == 30 and interval_ms(4, elapsed=3.0) == 30  # never below interval_at
    assert interval_ms(9, elapsed=0.0) == 50 and sampler_module.SLOWEST_INTERVAL_S == 0.05
    assert round(1000 * sampler_module.calm_interval(0.1, 0.0, 9)) == 100  # a wider --sample-ms stays as asked


# One process of ~80 MiB and one thread, asleep for a second: calm from its fifth sample.
ASLEEP = "import time\nx = bytearray(80 * 2**20)\nx[::4096] = b'1' * (len(x) // 4096)\ntime.sleep(1.0)\n"


def _samples_of(script: str, exact_above):
    child = subprocess.Popen([sys.executable, "-c", script])
    sampler = sampler_module.TreeSampler(child.pid, interval_s=0.01)
    sampler.exact_above = exact_above
    sampler.start()
    child.wait()
    sampler.stop()
    return sampler


def test_a_calm_process_above_what_it_inherited_is_sampled_less_often_than_one_that_may_not_be():
    calm = _samples_of(ASLEEP, exact_above=0)
    unknown = _samples_of(ASLEEP, exact_above=None)  # the native executor always sets it; a container never
    below = _samples_of(ASLEEP, exact_above=2**40)  # its ru_maxrss might be the harness's: VmHWM must be sampled
    assert calm.samples < 0.6 * unknown.samples and calm.samples < 0.6 * below.samples, \
        (calm.samples, unknown.samples, below.samples)
    assert unknown.calm == below.calm == 0
    assert calm.peak_hwm_bytes >= 80 * 2**20  # the high-water mark is read at every calm sample


def test_a_run_whose_workers_must_be_seen_is_never_sampled_less_often():
    from harness.executors.native import run_measured
    # Above what it inherits from this process, however large the test session has grown.
    argv = [sys.executable, "-c", ASLEEP.replace("80 * 2**20", "600 * 2**20")]
    counted = run_measured(argv, None, 30.0, 0.01, SUPPORT, counts_workers=True)
    usual = run_measured(argv, None, 30.0, 0.01, SUPPORT)
    assert usual.samples < 0.6 * counted.samples, (usual.samples, counted.samples)


def test_threads_started_after_a_calm_stretch_are_still_counted():
    script = ("import threading, time\nx = bytearray(80 * 2**20)\nx[::4096] = b'1' * (len(x) // 4096)\n"
              "time.sleep(0.6)\nthreads = [threading.Thread(target=time.sleep, args=(0.4,)) for _ in range(5)]\n"
              "[t.start() for t in threads]\n[t.join() for t in threads]\n")
    sampler = _samples_of(script, exact_above=0)
    assert sampler.peak_threads == 6  # the main thread and five more, started 0.6 s into the calm


def test_a_sample_taken_while_paused_is_the_first_and_the_next_comes_an_interval_after_go():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.3)"])
    sampler = sampler_module.TreeSampler(child.pid, interval_s=1.0).start(paused=True)
    try:
        sampler.sample()  # as the native executor takes the start gate's, before the clock starts
        sampler.go()
        child.wait()
        assert sampler.samples == 1  # go() did not sample again: the next would have been 1 s later
    finally:
        sampler.stop()
        sampler.stop()  # a second stop is harmless
    assert not sampler._thread.is_alive()


def test_a_sampler_stopped_before_go_starts_no_sampling():
    sampler = sampler_module.TreeSampler(os.getpid(), interval_s=0.01).start(paused=True)
    sampler.stop()
    assert sampler.samples == 0 and not sampler._thread.is_alive()
