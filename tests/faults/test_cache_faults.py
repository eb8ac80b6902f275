"""A full, read-only or forbidden cache (issue 27 point 4): the lab's builds, compiled classes, load
generator and runtime installs end with one line naming the path, exit 2, and leave no half-written
file or folder that a later run would take for a whole one.

As root (CI), each case runs in a mount namespace of its own with the cache on a tiny tmpfs (full)
or a tmpfs remounted read-only; forbidden (EACCES) is a cache folder without write permission,
seen by a child that (as root) lacks the capability to write through permission bits. Every case is a child process, so no mount outlives it.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

AS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not AS_ROOT or not shutil.which("unshare"),
                                reason="mounting a tmpfs needs root and unshare (CI runs as root)")
# "$0" is the cache folder: a 16 KiB tmpfs on it (full after the first small file), or the same read-only.
MOUNTS = {
    "full": 'mount -t tmpfs -o size=16k tmpfs "$0" && exec "$@"',
    "read-only": 'mount -t tmpfs -o size=1m tmpfs "$0" && mount -o remount,ro "$0" && exec "$@"',
}
SUITE = """
[workloads.built]
family = "t"
question = "Does a build on a full disk stop the run with one line?"
[[workloads.built.programs]]
language = "c"
variant = "plain"
build = ["cc", "-O0", "-g3", "-o", "{build_dir}/answer", "answer.c"]
command = ["{build_dir}/answer"]
checksum = "stdout"
"""
PROGRAM = '#include <stdio.h>\nint main(void) { puts("42"); return 0; }\n'


def in_namespace(mount: str, cache, command: list) -> list:
    """``command`` in a mount namespace of its own, with the cache folder mounted as ``mount`` says."""
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", MOUNTS[mount], str(cache), *command]


def one_line(done) -> str:
    err = done.stderr.strip()
    assert "Traceback" not in done.stderr and len(err.splitlines()) == 1, done.stderr
    return err


@needs_root
@pytest.mark.parametrize("mount", list(MOUNTS))
def test_a_build_into_a_full_or_read_only_cache_is_one_line_and_exit_2(tmp_path, mount):
    cache, out, suite = tmp_path / "cache", tmp_path / "out", tmp_path / "suite"
    cache.mkdir()
    suite.mkdir()
    (suite / "suite.toml").write_text(SUITE)
    (suite / "answer.c").write_text(PROGRAM)
    if not shutil.which("cc"):
        pytest.skip("no C compiler (apt-get install gcc)")
    command = [sys.executable, "-m", "harness", "compare", "--suite", str(suite / "suite.toml"), "--out", str(out),
               "--runs", "1", "-q"]
    done = subprocess.run(in_namespace(mount, cache, command), cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "XDG_CACHE_HOME": str(cache)})
    assert done.returncode == 2, done.stderr
    err = one_line(done)
    assert str(cache / "runtime-lab") in err and ("full" in err or "read-only" in err), err
    for results in out.glob("runs/*/results.json"):
        json.loads(results.read_text())  # whole, if the run got as far as writing it


# Each direct case: the call, then the error it must raise. Run in a child whose cache is the mount.
CASES = {
    "loadgen": """
        from harness.measure import loadgen
        loadgen.build()
    """,
    "java": """
        from harness import runtimes
        from harness.paths import REPO
        toolchain = runtimes.discover()
        runtimes.toolchain.compile_java(toolchain, [REPO / "java" / "src"])
    """,
    "install": """
        from pathlib import Path
        from harness.runtimes import install
        def fake_node(major, folder, scratch, say):  # what npm would unpack: more than the cache holds
            (folder / "bin").mkdir(parents=True)
            (folder / "bin" / "node").write_bytes(b"x" * 4_000_000)
        install._install_node = fake_node
        install.install("node@22", say=lambda text: None)
    """,
}
# The child: the cache moved to the mount, the case run, its one line printed as cli.main would, and
# the files left in the cache outside a folder marked .complete printed to stdout as JSON.
RUN_CASE = """
import json, sys, textwrap
from pathlib import Path
from harness import paths
cache = Path(sys.argv[1])
paths.CACHE = cache / "runtime-lab"
from harness.errors import LabError
code = 0
try:
    exec(textwrap.dedent(sys.argv[2]))
except LabError as error:
    print("error: " + str(error).replace(chr(10), " "), file=sys.stderr)
    code = 2
whole = {folder.parent for folder in cache.rglob(".complete")}
print(json.dumps(sorted(str(p) for p in cache.rglob("*") if p.is_file() and not whole & set(p.parents))))
sys.exit(code)
"""


# Root without the capabilities that let it write through permission bits, as any user is.
NO_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def run_case(case: str, cache, mount: str | None, bound: bool = False):
    """The case in a child process; under ``mount`` (as root), or bound by permission bits as root."""
    command = [sys.executable, "-c", RUN_CASE, str(cache), CASES[case]]
    if bound:
        command = [*NO_OVERRIDE, *command]
    if mount:
        command = in_namespace(mount, cache, command)
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


@needs_root
@pytest.mark.parametrize("mount", list(MOUNTS))
@pytest.mark.parametrize("case", list(CASES))
def test_a_cache_write_that_fails_is_one_line_naming_the_path(tmp_path, case, mount):
    if case == "loadgen" and not shutil.which("gcc") and not shutil.which("cc"):
        pytest.skip("no C compiler (apt-get install gcc)")
    if case == "java" and not shutil.which("javac"):
        pytest.skip("no javac")
    cache = tmp_path / "cache"
    cache.mkdir()
    done = run_case(case, cache, mount)
    assert done.returncode == 2, (done.returncode, done.stderr)
    err = one_line(done)
    assert str(cache / "runtime-lab") in err or str(cache) in err, err
    assert ("full" in err or "No space" in err) if mount == "full" else "read-only" in err, err
    assert json.loads(done.stdout) == [], "a half-written file is left in the cache"


@pytest.mark.skipif(AS_ROOT and not shutil.which("setpriv"), reason="root writes through permission bits without setpriv")
@pytest.mark.parametrize("case", list(CASES))
def test_a_cache_without_permission_is_one_line_naming_the_path(tmp_path, case):
    if case == "loadgen" and not shutil.which("gcc") and not shutil.which("cc"):
        pytest.skip("no C compiler (apt-get install gcc)")
    if case == "java" and not shutil.which("javac"):
        pytest.skip("no javac")
    cache = tmp_path / "cache"
    (cache / "runtime-lab").mkdir(parents=True)
    (cache / "runtime-lab").chmod(0o555)  # may be entered, not written
    try:
        done = run_case(case, cache, None, bound=AS_ROOT)
    finally:
        (cache / "runtime-lab").chmod(0o755)
    assert done.returncode == 2, (done.returncode, done.stderr)
    err = one_line(done)
    assert str(cache / "runtime-lab") in err and "permission denied" in err.lower(), err
    assert json.loads(done.stdout) == []


def test_a_failed_build_leaves_no_folder_a_later_run_builds_on(tmp_path):
    """A build step that fails removes its folder; a later build starts from an empty one."""
    from harness.catalogue.loader import Program
    from harness.runtimes import command_programs

    class Toolchain:
        runtimes: dict = {}
        build_dirs: dict = {}
        build_failures: dict = {}

    program = Program(language="c", variant="v", source=tmp_path, root=tmp_path, command=("true",),
                      build=("sh", "-c", "echo half > {build_dir}/out; exit 1"), cwd=tmp_path)
    command_programs.build_all(Toolchain(), [program], tmp_path / "cache")
    assert list(Toolchain.build_failures) and not list((tmp_path / "cache" / "builds").iterdir())

