"""The help text states the profiles' run counts and budgets that a run really uses.

`compare --help` said "quick 420" for the run budget and "quick 10" for the row budget while the
quick profile used 600 s and 40 s: numbers written twice drift apart.
"""

import re

import pytest

from harness import cli, options

pytestmark = pytest.mark.unit


def compare_help(capsys) -> str:
    """The text of `compare --help`, joined onto one line."""
    assert cli.main(["compare", "--help"]) == 0  # main turns argparse's exit into a code
    return " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("flag, field", [("--min-runs", "min_runs"), ("--max-runs", "max_runs"),
                                         ("--row-budget", "row_budget_s"), ("--run-budget", "run_budget_s")])
def test_the_help_states_each_profiles_default(capsys, flag, field):
    text = compare_help(capsys)
    said = re.search(re.escape(flag) + r" \w+ .*?\(quick (\S+), full ([^)]+)\)", text)
    assert said, f"{flag}'s help names no profile defaults"
    for profile, shown in zip(("quick", "full"), said.groups()):
        value = getattr(options.RUN_DEFAULTS[profile], field)
        assert shown.rstrip(";") == ("no limit" if value is None else f"{value:g}")
