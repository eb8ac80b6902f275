"""Values that make no sense are refused before anything runs (issue 27: values finite and in range).

Each was once accepted: ``--timeout nan`` killed every row "after the 0 s timeout", ``inf`` gave a
thread traceback in every run, ``--sample-ms nan`` made the sampler spin and put a bare NaN into
results.json, and ``--memory-limit 0`` silently applied no limit.
"""

import json
import math

import pytest

from harness import cli
from harness.results import store
from tests.conftest import run_cli

BAD_VALUES = [
    (["--timeout", "nan"], "argument --timeout: must be above 0 and finite, not nan"),
    (["--timeout", "inf"], "argument --timeout: must be above 0 and finite, not inf"),
    (["--timeout", "1e300"], "argument --timeout: must be at most 2592000 seconds"),
    (["--sample-ms", "nan"], "argument --sample-ms: must be from 0.1 to 60000 milliseconds, not nan"),
    (["--sample-ms", "inf"], "argument --sample-ms: must be from 0.1 to 60000 milliseconds, not inf"),
    (["--memory-limit", "0"], "argument --memory-limit: must be a size above 0"),
    (["--docker-memory", "0"], "argument --docker-memory: must be a size above 0"),
    (["--row-budget", "inf"], "argument --row-budget: must be above 0 and finite"),
    (["--run-budget", "inf"], "argument --run-budget: must be above 0 and finite"),
    (["--target-ci", "nan"], "argument --target-ci: must be a fraction above 0 and below 1"),
    (["--docker-cpus", "nan"], "argument --docker-cpus: must be above 0 and finite"),
    (["--docker-pids", "0"], "argument --docker-pids: must be at least 1"),
    (["--only", "eager_lazy", "--param", "n=nan"], "--param n=nan: must be above 0 and finite"),
    (["--only", "eager_lazy", "--param", "n=inf"], "--param n=inf: must be above 0 and finite"),
    (["--only", "eager_lazy", "--param", "n=-inf"], "--param n=-inf: must be above 0 and finite"),
    (["--only", "eager_lazy", "--param", f"n={10**30}"], "must be at most 2**63 - 1, which every program can read"),
    (["--timeout=--"], "argument --timeout: expected a value, not '--'"),  # argparse alone makes it []
    (["--only=--"], "argument --only: expected a value, not '--'"),
    (["--memory-limit", "9" * 400], "is larger than any memory"),
    (["--runs", "1\n2"], "argument --runs: '1\\n2' is not a whole number"),  # one line even then
]


@pytest.mark.parametrize("argv, message", BAD_VALUES)
def test_a_value_that_makes_no_sense_is_one_line_and_exit_2(capsys, argv, message, tmp_path):
    assert cli.main(["compare", *argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # refused before anything ran or was written


def test_a_user_typing_timeout_nan_gets_one_line():
    done = run_cli("compare", "--timeout", "nan")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: argument --timeout: must be above 0 and finite, not nan")
    assert len(done.stderr.strip().splitlines()) == 1


def test_results_json_is_strict_json_a_nan_is_refused_not_written(tmp_path):
    results = store.ResultsStore(tmp_path, "run", {}, {"figure": math.nan}, {})
    with pytest.raises(ValueError):
        results.write()  # a NaN that reached the store is a defect of the lab: exit 3, not a file JSON.parse rejects
    if results.path.exists():
        json.loads(results.path.read_text(), parse_constant=lambda name: pytest.fail(f"results.json holds {name}"))
