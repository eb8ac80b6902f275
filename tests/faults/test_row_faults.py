"""A row's failure is the row's (issue 27, point 1), end to end: a run that raises in the harness
(here PermissionError, as for a command file that lost its execute bit after the suite loaded)
fails that row with the reason, the other rows are measured, results.json is finished and the
lab exits 1, as for any failed row. A real `compare` with real programs, in a child process."""

import json
import subprocess
import sys

from tests.conftest import PROGRAMS, ROOT

SUITE = """
[workloads.faults]
family = "t"
question = "Does one bad row stop the others?"
[[workloads.faults.programs]]
language = "python"
variant = "good"
source = "{programs}/faulty.py"
args = {{ mode = "right", tag = "row-faults" }}
[[workloads.faults.programs]]
language = "python"
variant = "bad"
source = "{programs}/faulty.py"
args = {{ mode = "right", tag = "row-faults-bad" }}
"""

# The bad variant's every start raises, from inside the native executor, before any process exists.
RUN = """
import sys
from harness.executors import native

real = native.run_measured

def refusing(command, *args, **kwargs):
    if "tag=row-faults-bad" in command:
        raise PermissionError(13, "Permission denied", command[0])
    return real(command, *args, **kwargs)

native.run_measured = refusing
from harness import cli
sys.exit(cli.main(sys.argv[1:]))
"""


def test_a_row_whose_run_raises_fails_alone_and_the_run_exits_1(tmp_path):
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE.format(programs=PROGRAMS))
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", RUN, "compare", "--suite", str(suite), "--out", str(out),
                           "--runs", "2", "--warmup", "1", "-q"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    [results] = out.glob("runs/*/results.json")
    document = json.loads(results.read_text())
    assert document["finished"]
    rows = {row["variant"]: row for row in document["measurements"]}
    good = rows["good"]  # 2 undisturbed runs, unless a busy machine disturbed every repeat
    assert good["status"] == "ok" and (sum(not run["disturbed"] for run in good["runs"]) == 2
                                       or good["stop_reason"].startswith("machine busy"))
    bad = rows["bad"]
    assert bad["status"] == "failed" and not bad["runs"]
    assert bad["reason"].startswith("could not be run: PermissionError: [Errno 13] Permission denied")
    assert "Traceback" in bad["stderr_tail"]  # kept with the row, for whoever reads results.json
