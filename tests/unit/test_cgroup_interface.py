"""The cgroup interface against fake cgroup trees: files laid out and worded as the kernel's.

Both versions are tested here whatever this machine runs (its real cgroups are tested by
tests/measure/test_native.py and tests/faults/test_cgroup_v2.py). A fake tree is an ordinary
folder, so what the kernel does by itself (rmdir of a folder with files, cgroup.procs listing
a moved process) is not what these tests look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.measure import cgroup
from harness.measure.cgroup.base import Cgroup, CgroupReading, read_counters
from harness.measure.cgroup.none import NoCgroup
from harness.measure.cgroup.v1 import CgroupV1
from harness.measure.cgroup.v2 import CgroupV2
from tests.conftest import ROOT

V1_STAT = "cache 4096\nrss 8192\nrss_huge 0\nmapped_file 0\ntotal_rss 8192\n"
V1_OOM = "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n"
V2_STAT = "anon 16384\nfile 12288\nkernel 0\nsock 0\nshmem 0\n"
V2_CPU = "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 0\n"
V2_EVENTS = "low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\noom_group_kill 0\n"


def v1_parents(tmp_path: Path, freezer: bool = False) -> dict[str, Path]:
    controllers = ("memory", "cpuacct") + (("freezer",) if freezer else ())
    parents = {c: tmp_path / c / cgroup.PARENT for c in controllers}
    for parent in parents.values():
        parent.mkdir(parents=True)
    return parents


def v2_parents(tmp_path: Path) -> dict[str, Path]:
    parent = tmp_path / cgroup.PARENT
    parent.mkdir()
    return {"unified": parent}


def fill_v1(group: Cgroup, peak: int = 123456) -> None:
    (group.memory_dir / "memory.max_usage_in_bytes").write_text(f"{peak}\n")
    (group.memory_dir / "memory.stat").write_text(V1_STAT)
    (group.memory_dir / "memory.oom_control").write_text(V1_OOM)
    (group.dirs["cpuacct"] / "cpuacct.usage").write_text("1500000000\n")


def fill_v2(group: Cgroup, peak: int | None = 654321) -> None:
    if peak is not None:
        (group.memory_dir / "memory.peak").write_text(f"{peak}\n")
    (group.memory_dir / "memory.stat").write_text(V2_STAT)
    (group.memory_dir / "cpu.stat").write_text(V2_CPU)
    (group.memory_dir / "memory.events").write_text(V2_EVENTS)


def test_each_version_implements_the_whole_interface():
    for implementation in (CgroupV1, CgroupV2):
        assert not getattr(implementation, "__abstractmethods__", None), implementation
        assert issubclass(implementation, Cgroup)


def test_support_names_its_method_and_makes_the_right_cgroup(tmp_path):
    assert cgroup.Support(None, {}, "off").method == "sampled" == NoCgroup.method
    assert cgroup.Support(None, {}, "off").create() is None  # no cgroup: the tree is sampled
    v1 = cgroup.Support(1, v1_parents(tmp_path / "a"))
    v2 = cgroup.Support(2, v2_parents(tmp_path))
    assert (v1.method, v2.method) == ("cgroup-v1", "cgroup-v2")
    assert type(v1.create()) is CgroupV1 and type(v2.create()) is CgroupV2


def test_a_run_cgroup_is_a_new_folder_under_each_parent_named_after_the_harness(tmp_path):
    parents = v1_parents(tmp_path, freezer=True)
    group = cgroup.Support(1, parents).create()
    assert group is not None
    assert set(group.dirs) == {"memory", "cpuacct", "freezer"}
    names = {directory.name for directory in group.dirs.values()}
    assert len(names) == 1 and names.pop().startswith(f"run-{os.getpid()}-")
    assert all(directory.is_dir() and directory.parent == parents[c] for c, directory in group.dirs.items())


def test_v1_reading(tmp_path):
    group = CgroupV1.create(v1_parents(tmp_path))
    fill_v1(group)
    assert group.read() == CgroupReading("cgroup-v1", 123456, 4096, 1.5, 1)
    assert (group.anon_bytes(), group.peak_bytes(), group.cpu_s()) == (8192, 123456, 1.5)


def test_v1_peak_is_reset_by_writing_zero(tmp_path):
    group = CgroupV1.create(v1_parents(tmp_path))
    fill_v1(group)
    assert group.reset_peak()
    assert (group.memory_dir / "memory.max_usage_in_bytes").read_text() == "0"


def test_v2_reading(tmp_path):
    group = CgroupV2.create(v2_parents(tmp_path))
    fill_v2(group)
    assert group.read() == CgroupReading("cgroup-v2", 654321, 12288, 2.5, 2)
    assert (group.anon_bytes(), group.peak_bytes(), group.cpu_s()) == (16384, 654321, 2.5)
    assert not group.reset_peak()  # memory.peak cannot be restarted


def test_v2_without_memory_peak_says_the_peak_is_sampled(tmp_path):
    group = CgroupV2.create(v2_parents(tmp_path))
    fill_v2(group, peak=None)
    reading = group.read()
    assert reading.peak_bytes is None and reading.method == "cgroup-v2, no memory.peak (peak sampled)"
    assert reading.cpu_s == 2.5 and reading.oom_kills == 2


@pytest.mark.parametrize("swap_accounting", [True, False])
def test_v1_memory_limit_caps_memory_and_swap_where_swap_is_accounted(tmp_path, swap_accounting):
    parents = v1_parents(tmp_path)
    group = CgroupV1({c: parent / "run" for c, parent in parents.items()})
    for directory in group.dirs.values():
        directory.mkdir()
    (group.memory_dir / "memory.limit_in_bytes").write_text("9223372036854771712\n")
    if swap_accounting:
        (group.memory_dir / "memory.memsw.limit_in_bytes").write_text("9223372036854771712\n")
    group.limit_memory(100 << 20)
    assert (group.memory_dir / "memory.limit_in_bytes").read_text() == str(100 << 20)
    memsw = group.memory_dir / "memory.memsw.limit_in_bytes"
    assert memsw.exists() == swap_accounting
    if swap_accounting:
        assert memsw.read_text() == str(100 << 20)


def test_v2_memory_limit_allows_no_swap(tmp_path):
    group = CgroupV2({"unified": tmp_path / "run"})
    group.memory_dir.mkdir()
    (group.memory_dir / "memory.max").write_text("max\n")
    (group.memory_dir / "memory.swap.max").write_text("max\n")
    group.limit_memory(64 << 20)
    assert (group.memory_dir / "memory.max").read_text() == str(64 << 20)
    assert (group.memory_dir / "memory.swap.max").read_text() == "0"


@pytest.mark.parametrize("implementation,parents", [(CgroupV1, v1_parents), (CgroupV2, v2_parents)])
def test_a_process_is_added_to_every_hierarchy_and_listed(tmp_path, implementation, parents):
    group = implementation.create(parents(tmp_path))
    assert group.pids() == []  # no cgroup.procs yet: nothing listed, no error
    group.add(4242)
    assert all((directory / "cgroup.procs").read_text() == "4242" for directory in group.dirs.values())
    (group.memory_dir / "cgroup.procs").write_text("4242\n4243\n")
    assert group.pids() == [4242, 4243]


def test_kill_all_of_an_empty_cgroup_touches_nothing(tmp_path):
    group = CgroupV1.create(v1_parents(tmp_path, freezer=True))
    group.kill_all()
    assert not (group.dirs["freezer"] / "freezer.state").exists()


def test_a_container_cgroup_is_read_through_the_same_interface(tmp_path):
    v1_dir, v2_dir = tmp_path / "v1", tmp_path / "v2"
    v1_dir.mkdir()
    v2_dir.mkdir()
    (v1_dir / "memory.stat").write_text(V1_STAT)
    (v1_dir / "memory.max_usage_in_bytes").write_text("777\n")
    (v2_dir / "memory.stat").write_text(V2_STAT)
    assert (cgroup.anon_bytes(v1_dir, 1), cgroup.memory_peak(v1_dir, 1)) == (8192, 777)
    assert (cgroup.anon_bytes(v2_dir, 2), cgroup.memory_peak(v2_dir, 2)) == (16384, None)
    assert cgroup.reset_memory_peak(v1_dir, 1) and not cgroup.reset_memory_peak(v2_dir, 2)
    assert type(cgroup.existing(v2_dir, 2)) is CgroupV2


def test_no_cgroup_filesystem_means_sampling(tmp_path):
    found = cgroup.detect(tmp_path)
    assert not found.available and found.method == "sampled"
    assert "no cgroup filesystem" in found.reason


def test_stale_run_cgroups_of_a_gone_harness_are_removed_and_live_ones_kept(tmp_path):
    gone = tmp_path / "run-4000000-deadbeef"  # above any pid_max: no live harness has it
    mine = tmp_path / f"run-{os.getpid()}-cafecafe"
    other = tmp_path / "probe-1-x"
    for directory in (gone, mine, other):
        directory.mkdir()
    assert cgroup.remove_stale(tmp_path) == [gone]
    assert mine.exists() and other.exists() and not gone.exists()


def test_counters_skip_lines_that_are_not_key_and_integer(tmp_path):
    path = tmp_path / "memory.stat"
    path.write_text("anon 10\nfile -3\nbroken\nname words here\nzswap x\n")
    assert read_counters(path) == {"anon": 10, "file": -3}
    assert read_counters(tmp_path / "missing") == {}


def test_callers_never_look_at_the_cgroup_version():
    for caller in ("harness/executors/native.py", "harness/executors/docker/visibility.py", "harness/measure/sampler.py"):
        text = (ROOT / caller).read_text()
        assert "cgroups.version" not in text and "group.version" not in text and "version ==" not in text, caller
