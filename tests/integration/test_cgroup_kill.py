"""kill_all against a fake cgroup tree with a real process listed in it: the process gets SIGKILL.

Moved from tests/unit/test_cgroup_interface.py (it starts a child, so it is no unit test); the
fake trees are that module's. As the kernel does, a process leaves cgroup.procs once it has ended,
so kill_all sees the cgroup empty and returns instead of giving up after its last retry.
"""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from harness.measure.cgroup.v1 import CgroupV1
from harness.measure.cgroup.v2 import CgroupV2
from tests.unit.test_cgroup_interface import v1_parents, v2_parents


def sleeper() -> subprocess.Popen:
    return subprocess.Popen(["sleep", "30"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


def listed_until_it_ends(child: subprocess.Popen, procs: Path) -> threading.Thread:
    """List ``child`` in the fake ``procs`` file and take it out when it ends, as the kernel would."""
    procs.write_text(f"{child.pid}\n")

    def drop_when_ended() -> None:
        child.wait()
        procs.write_text("")

    watcher = threading.Thread(target=drop_when_ended, daemon=True)
    watcher.start()
    return watcher


def test_v2_kill_all_uses_cgroup_kill_and_kills_what_is_listed(tmp_path):
    group = CgroupV2.create(v2_parents(tmp_path))
    (group.memory_dir / "cgroup.kill").write_text("0")
    child = sleeper()
    try:
        listed_until_it_ends(child, group.memory_dir / "cgroup.procs")
        group.kill_all()
        assert child.wait(timeout=5) == -9
        assert (group.memory_dir / "cgroup.kill").read_text() == "1"
    finally:
        child.kill()
        child.wait()


def test_v1_kill_all_freezes_kills_and_thaws(tmp_path):
    group = CgroupV1.create(v1_parents(tmp_path, freezer=True))
    (group.dirs["freezer"] / "freezer.state").write_text("THAWED\n")
    child = sleeper()
    try:
        listed_until_it_ends(child, group.memory_dir / "cgroup.procs")
        group.kill_all()
        assert child.wait(timeout=5) == -9
        assert (group.dirs["freezer"] / "freezer.state").read_text() == "THAWED"
    finally:
        child.kill()
        child.wait()
