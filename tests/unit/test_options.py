"""The command line becomes frozen option objects once; nothing below the CLI reads argparse's namespace."""

import argparse
import dataclasses
import re
from pathlib import Path

import pytest

from harness import cli, options
from harness.errors import UsageError
from harness.paths import HARNESS


def compare(*argv):
    """The CompareOptions of ``compare ARGV``."""
    command, chosen = cli.parse(["compare", *map(str, argv)])
    assert command is cli.cmd_compare
    return chosen


def test_the_profile_gives_the_run_counts_and_the_flags_override_them():
    quick = compare().runs
    assert (quick.min_runs, quick.max_runs, quick.target, quick.row_budget_s, quick.run_budget_s) == (3, 20, 0.05, 40.0, 460.0)
    full = compare("--full").runs
    assert (full.min_runs, full.max_runs, full.run_budget_s, full.profile) == (5, 20, None, "full")
    assert (compare("--runs", 4).runs.min_runs, compare("--runs", 4).runs.max_runs) == (4, 4)
    assert compare("--min-runs", 24).runs.max_runs == 24  # a minimum above the profile's maximum raises it
    counts = compare("--target-ci", 0.1, "--row-budget", 5, "--run-budget", 60, "--timeout", 3, "--warmup", 0).runs
    assert (counts.target, counts.row_budget_s, counts.run_budget_s, counts.timeout_s, counts.warmup) == (0.1, 5, 60, 3, 0)


def test_the_seed_is_drawn_once_unless_given_and_the_command_line_is_kept():
    assert compare("--seed", 7).runs.seed == 7
    assert isinstance(compare().runs.seed, int)
    assert compare("--only", "eager_lazy").argv == ("compare", "--only", "eager_lazy")


def test_the_backends_get_every_choice_they_need_as_one_object():
    chosen = compare("--backend", "native,docker", "--lang", "python,node", "--sample-ms", 2, "--no-cgroup",
                     "--memory-limit", "512m", "--wrk", "--open-loop", "--docker-cpus", 1.5, "--docker-cpuset", "0-1",
                     "--docker-memory", "1g", "--docker-pids", 100, "--docker-build", "never", "--python", "3.13t").backend
    assert chosen.names == ("native", "docker") and chosen.languages == ("python", "node")
    assert chosen.sample_interval_s == 0.002 and not chosen.use_cgroups and chosen.memory_limit_bytes == 512 * 2**20
    assert chosen.wrk and chosen.open_loop
    assert chosen.docker == options.DockerOptions(cpus=1.5, cpuset="0-1", memory="1g", pids=100, build="never")
    assert chosen.runtimes == options.RuntimeChoice(python="3.13t") and chosen.runtimes.asked()
    assert compare("--backend", "swarm", "--machines", "a,b").backend.swarm.machines == ("a", "b")


def test_the_selection_keeps_the_parameters_as_pairs():
    chosen = compare("--only", "cpu_scaling", "--variant", "threads", "--param", "threads=1,2", "--family", "threading").selection
    assert chosen == options.Selection(only=("cpu_scaling",), family="threading", variants=("threads",),
                                       params=(("threads", "1,2"),))


def test_option_objects_are_frozen():
    chosen = compare()
    with pytest.raises(dataclasses.FrozenInstanceError):
        chosen.out = Path("elsewhere")  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        chosen.backend.docker.memory = "1g"  # type: ignore[misc]


@pytest.mark.parametrize("argv, options_type", [
    (["list", "--json"], options.ListOptions), (["runtimes"], options.RuntimesOptions),
    (["report", "x"], options.ReportOptions), (["diff", "a", "b"], options.DiffOptions),
    (["show", "x", "python"], options.ShowOptions), (["publish", "x"], options.PublishOptions),
])
def test_every_command_gets_its_own_options(argv, options_type):
    _, chosen = cli.parse(argv)
    assert type(chosen) is options_type


@pytest.mark.parametrize("check, text", [
    (options.seconds, "nan"), (options.seconds, "inf"), (options.seconds, "-inf"), (options.seconds, "0"),
    (options.seconds, "-0"), (options.seconds, "1e309"), (options.seconds, "1e300"), (options.seconds, ""),
    (options.sample_ms, "nan"), (options.sample_ms, "inf"), (options.sample_ms, "0"), (options.sample_ms, "0.001"),
    (options.positive_float, "nan"), (options.positive_float, "inf"), (options.positive_float, "-1"),
    (options.fraction, "nan"), (options.fraction, "1"), (options.fraction, "inf"),
    (options.positive_int, "0"), (options.positive_int, "1.5"), (options.positive_int, "nan"),
    (options.non_negative_int, "-1"), (options.memory_size, "0"), (options.memory_size, "0m"),
    (options.memory_size, "nan"), (options.memory_size, "-1g"), (options.names, " , "),
])
def test_a_value_out_of_range_is_refused(check, text):
    with pytest.raises(argparse.ArgumentTypeError):
        check(text)


def test_bad_combinations_are_usage_errors():
    with pytest.raises(UsageError, match="--max-runs 3 is below --min-runs 5"):
        compare("--min-runs", 5, "--max-runs", 3)
    with pytest.raises(UsageError, match="--param expects NAME=VALUE"):
        compare("--param", "n")


def test_only_the_cli_and_options_read_argparse():
    """Below them, a stage takes option objects: no module names argparse or its namespace."""
    readers = [path.relative_to(HARNESS).as_posix() for path in HARNESS.rglob("*.py")
               if re.search(r"\bargparse\b|\bNamespace\b", path.read_text()) and path.parent != HARNESS / "fixtures"]
    assert sorted(readers) == ["cli.py", "options.py"]
