"""What held when issue 27 was filed, and must keep holding: one-line errors (exit 2) for an --out
that is a file, and for report, show and diff on an empty folder, a newer schema or a truncated
file; and two runs into one --out, each kept whole in its own folder."""

import json
import time

import pytest

from tests.conftest import ROOT, run_cli
from tests.faults.test_fuzz_results import run

FIXTURE = ROOT / "tests" / "fixtures" / "results.json"


def test_an_out_that_is_a_file_is_one_line(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("mine")
    code, err = run(["compare", "--suite", ROOT / "tests" / "suite" / "suite.toml", "--out", afile, "--runs", "1"])
    err = "\n".join(line for line in err.splitlines() if not line.startswith("warning: "))
    assert code == 2 and err.startswith("error: ") and len(err.splitlines()) == 1 and str(afile) in err, err
    assert afile.read_text() == "mine"


@pytest.mark.parametrize("content, message", [
    (None, "not found; give a run directory"),
    ('{"schema": 9, "measurements": []}', "has schema 9; this harness reads schemas 1, 2"),
    (FIXTURE.read_text()[:500], "is not valid JSON"),
])
@pytest.mark.parametrize("command", ["report", "show", "diff"])
def test_a_run_folder_that_holds_no_readable_results_is_one_line(tmp_path, content, message, command):
    if content is not None:
        (tmp_path / "results.json").write_text(content)
    code, err = run([command, tmp_path, *([tmp_path] if command == "diff" else [])])
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_two_runs_into_one_out_are_both_kept(tmp_path):
    suite = ROOT / "tests" / "suite" / "suite.toml"
    for _ in range(2):
        done = run_cli("compare", "--suite", suite, "--only", "triangle", "--lang", "python", "--out", tmp_path,
                       "--runs", "1", "-q")
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
        time.sleep(1.1)  # run ids are to the second
    runs = sorted(tmp_path.glob("runs/*/results.json"))
    assert len(runs) == 2 and all(json.loads(path.read_text())["finished"] for path in runs)
    assert (tmp_path / "latest").resolve() == runs[-1].parent.resolve()
