"""--memory-limit caps every native run as --docker-memory caps a container: over it, the run is oom."""

import pytest

from harness.measure import cgroup
from tests.conftest import PROGRAMS, only_run, run_cli

SUPPORT = cgroup.detect()
SUITE = """
[workloads.grow]
family = "t"
question = "Is a run over the memory limit stopped and named?"
params = {{ mb = [20, 300] }}
[[workloads.grow.programs]]
language = "python"
source = "{programs}/hold_memory.py"
"""


@pytest.mark.skipif(not SUPPORT.available, reason=f"no cgroup here: {SUPPORT.reason}")
def test_a_run_over_the_native_memory_limit_is_oom_and_the_one_under_it_is_ok(tmp_path):
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE.format(programs=PROGRAMS))
    done = run_cli("compare", "--suite", suite, "--out", tmp_path / "out", "--runs", "1", "--warmup", "0",
                   "--memory-limit", "150m")
    document = only_run(tmp_path / "out")
    rows = {m["params"]["mb"]: m for m in document["measurements"]}
    assert rows[20]["status"] == "ok" and rows[300]["status"] == "oom", rows[300]["reason"]
    assert document["environment"]["memory_limit_bytes"] == 150 * 2**20
    assert done.returncode == 1 and "Traceback" not in done.stderr


@pytest.mark.parametrize("extra, message", [(["--memory-limit", "lots"], "'lots' is not a memory size"),
                                            (["--memory-limit", "1g", "--no-cgroup"], "--memory-limit needs a cgroup per run")])
def test_a_memory_limit_that_cannot_apply_is_a_one_line_error(extra, message):
    done = run_cli("compare", "--only", "eager_lazy", *extra)
    assert done.returncode == 2 and "Traceback" not in done.stderr and message in done.stderr
