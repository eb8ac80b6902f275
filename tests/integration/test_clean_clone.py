"""A run never modifies a tracked file: a compare in a fresh clone leaves `git status` clean."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_a_compare_in_a_clean_clone_leaves_git_status_clean(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("the lab is not a git checkout here")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    done = subprocess.run([sys.executable, "-m", "harness", "compare", "--only", "cyclic_garbage", "--lang", "python",
                           "--runs", "1", "--warmup", "0", "--quiet"], cwd=clone, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (clone / "results" / "latest" / "report.html").exists()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=clone, capture_output=True,
                            text=True, check=True).stdout
    assert status == "", status
