"""Fuzzing compare's numeric options: whatever the text, the CLI never raises, and a value it refuses
is one line and exit 2 before anything runs. A value it takes is finite and in range.

Nothing is measured: a refused value is run through ``cli.main`` (it stops at the check), and a
taken one only through ``cli.parse``, which builds the option objects without running them.
"""

import contextlib
import io
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import catalogue, cli, plan
from harness.errors import LabError, UsageError

NUMERIC = ["--runs", "--min-runs", "--max-runs", "--target-ci", "--row-budget", "--run-budget", "--warmup", "--timeout",
           "--seed", "--sample-ms", "--docker-cpus", "--docker-pids", "--memory-limit", "--docker-memory"]
ODD = ["", " ", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e309", "-1e309", "-0", "-0.0", "0", "0.0", "1e-400",
       "0x10", "1_000", "٣", "１", "4g", "0m", "512m", "1.5g", " 5 ", "5s", "9" * 400, "9" * 5000, "1e300", "\x00", "--"]
VALUES = st.one_of(
    st.sampled_from(ODD),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**6), max_value=10**30).map(str),
    st.text(max_size=8),
)
EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def quietly(call):
    """``call()`` with stdout and stderr captured: (its result or the SystemExit it raised, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            result = call()
        except SystemExit as exit_:
            result = exit_
    return result, err.getvalue()


@EXAMPLES
@given(option=st.sampled_from(NUMERIC), value=VALUES)
def test_a_numeric_option_is_taken_in_range_or_refused_in_one_line(option, value, tmp_path):
    argv = ["compare", f"{option}={value}", "--out", str(tmp_path)]
    try:
        parsed, _ = quietly(lambda: cli.parse(argv))
    except LabError:  # a combination the value makes impossible (--max-runs 1 under the profile's minimum)
        parsed = SystemExit(2)
    if isinstance(parsed, SystemExit):
        assert parsed.code == 2
        code, err = quietly(lambda: cli.main(argv))
        assert code == 2, err
        assert err.startswith("error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err
        assert not (tmp_path / "runs").exists()
        return
    _, chosen = parsed
    counts, backend = chosen.runs, chosen.backend
    for figure in (counts.target, counts.row_budget_s, counts.run_budget_s, counts.timeout_s, backend.sample_interval_s,
                   backend.docker.cpus):
        assert figure is None or (math.isfinite(figure) and figure > 0)
    assert 1 <= counts.min_runs <= counts.max_runs and counts.warmup >= 0 and backend.docker.pids >= 1
    assert backend.memory_limit_bytes is None or backend.memory_limit_bytes > 0


EAGER_LAZY = plan.select(catalogue.load(catalogue.BUILTIN), ["eager_lazy"])


@EXAMPLES
@given(value=VALUES)
def test_a_parameter_is_a_finite_number_above_0_or_a_one_line_error(value):
    try:
        jobs = plan.jobs_for(EAGER_LAZY, "quick", overrides=plan.parse_overrides([f"n={value}"]))
    except UsageError:  # cli.main prints it on one line, exit 2
        return
    assert all(math.isfinite(dict(job.params)["n"]) and dict(job.params)["n"] > 0 for job in jobs)
