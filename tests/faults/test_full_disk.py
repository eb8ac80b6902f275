"""A full disk under the results (issue 27 point 4): writing the reports, or results.json itself,
ends with one line naming the path and exit 2; results.json stays whole, no temporary file is left,
and once there is room again ``report`` on the same run works.

As root (CI), each case runs in a mount namespace of its own with the run folder on a small tmpfs
that a filler file has made full, so the mount goes when the child does.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.faults.test_fuzz_results import base_document

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"),
                                reason="mounting a tmpfs needs root and unshare (CI runs as root)")
# In the namespace: a 1 MiB tmpfs on "$1"; the results file copied in (report) or none (compare);
# a filler takes every byte left; then the command, then the filler goes and `report` runs again.
SCRIPT = r'''
set -u
disk=$1 results=$2; shift 2
mount -t tmpfs -o size=1m tmpfs "$disk" || exit 90
mkdir -p "$disk/run"
[ -n "$results" ] && cp "$results" "$disk/run/results.json"
dd if=/dev/zero of="$disk/filler" bs=4k 2>/dev/null
"$@" 2>"$disk.err" >/dev/null; echo "first=$?" >"$disk.codes"
find "$disk/run" "$disk/runs" -type f 2>/dev/null >"$disk.files"
cp "$disk/run/results.json" "$disk.after" 2>/dev/null; cp "$disk"/runs/*/results.json "$disk.after" 2>/dev/null
rm "$disk/filler"
[ -n "$results" ] && { python3 -m harness report "$disk/run" >/dev/null 2>"$disk.err2"; echo "second=$?" >>"$disk.codes"; }
ls -A "$disk/run" >"$disk.files2"
true
'''


def in_full_disk(tmp_path, results: str, command: list) -> dict:
    """Run ``command`` with the disk full; what it printed and left, and a second report's code."""
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-c", SCRIPT, "script", str(disk),
                           results, *command], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    codes = dict(line.split("=") for line in (tmp_path / "disk.codes").read_text().split())
    after = tmp_path / "disk.after"
    return {"codes": {key: int(value) for key, value in codes.items()}, "err": (tmp_path / "disk.err").read_text(),
            "files": (tmp_path / "disk.files").read_text().split(), "after": after.read_text() if after.exists() else None,
            "files2": (tmp_path / "disk.files2").read_text().split()}


def assert_one_line_naming(err: str, where: str) -> None:
    err = "\n".join(line for line in err.splitlines() if not line.startswith("warning: "))
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ") and where in err and ("No space left" in err or "disk is full" in err), err


def test_reports_on_a_full_disk_are_one_line_and_leave_results_json_whole(tmp_path):
    source = tmp_path / "results.json"
    source.write_text(json.dumps(base_document(2)))
    found = in_full_disk(tmp_path, str(source), [sys.executable, "-m", "harness", "report", str(tmp_path / "disk" / "run")])
    assert found["codes"]["first"] == 2, found["err"]
    assert_one_line_naming(found["err"], str(tmp_path / "disk" / "run"))
    assert json.loads(found["after"]) == base_document(2)  # whole, and unchanged
    assert not [name for name in found["files"] if name.endswith(".tmp")], found["files"]
    assert found["codes"]["second"] == 0, "report on the same run once there is room again"
    assert {"results.md", "report.html", "results.csv"} <= set(found["files2"])


def test_compare_into_a_full_out_is_one_line_and_leaves_no_temporary_file(tmp_path):
    command = [sys.executable, "-m", "harness", "compare", "--suite", str(ROOT / "tests" / "suite" / "suite.toml"),
               "--out", str(tmp_path / "disk"), "--runs", "1", "-q"]
    found = in_full_disk(tmp_path, "", command)
    assert found["codes"]["first"] == 2, found["err"]
    assert_one_line_naming(found["err"], str(tmp_path / "disk"))
    assert not [name for name in found["files"] if name.endswith(".tmp")], found["files"]
    if found["after"] is not None:
        json.loads(found["after"])
