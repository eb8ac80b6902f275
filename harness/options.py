"""The command line's choices as frozen, typed objects, made once from argparse's namespace.

``cli.py`` parses the arguments with the value checks below (``type=`` of each option) and hands
the namespace to one builder per command; the stages get these objects and never see ``args``.
Every number is checked here to be finite and in range, so a ``nan`` or an ``inf`` never reaches a
timer, a sampler or results.json.
"""

from __future__ import annotations

import argparse
import math
import random
from dataclasses import dataclass
from pathlib import Path

from harness import plan
from harness.errors import LabError, UsageError
from harness.plan.sizes import parse_bytes
from harness.run import backends, runner
from harness.run.backends import BackendOptions, DockerOptions, RuntimeChoice, SwarmOptions


@dataclass(frozen=True)
class RunDefaults:
    """A profile's run counts and stopping rule: at least ``min_runs``, at most ``max_runs``, stopping
    once the key figure's 95 % interval is within ±``target`` or the row's measured runs have taken
    ``row_budget_s`` (see runner.RunOptions)."""

    min_runs: int
    max_runs: int
    target: float
    row_budget_s: float
    run_budget_s: float | None  # None: no limit


SEQUENTIAL_MIN_RUNS = 2  # analyse/sequential.Design's least --min-runs: one run a row has no rank to test
# Quick: 3 runs a row, then claims drive the sampling: the rows of undecided claims get runs up to 20
# (the sequential interval decides from 5-6 runs a row, more under Holm; its two levels keep 5 runs
# decisive with 20 looks, and a ratio 20 % beyond its threshold at CV 10 % decides in 90 % of
# trials, against 69 % at 10 runs), within 40 s a row and 460 s in all, so the whole compare takes
# under 8 minutes (docs/methodology.md). Run 20261207-094937
# (budget 540 s), judged again on its runs cut at each elapsed time, had decided all 14 claims by
# 340 s of measuring. An earlier, slower machine's minimum rounds took 314 s and at 460 s it left
# C5, C8 and C13 open (20261207-011806), which is why the budget was 540 s until then.
# Full: 5 to 20 runs, 120 s a row, no limit in all.
RUN_DEFAULTS = {"quick": RunDefaults(3, 20, 0.05, 40.0, 460.0), "full": RunDefaults(5, 20, 0.03, 120.0, None)}
# Longer than any run, and short enough for every timer (threading.TIMEOUT_MAX, time.sleep) to take.
MAX_SECONDS = 30 * 24 * 3600.0
# Below 0.1 ms the sampler only spins; above a minute it sees nothing of most runs.
SAMPLE_MS = (0.1, 60_000.0)


# -- Value checks: argparse's ``type=`` for each option, so a bad value is refused before anything runs.

def names(text: str) -> tuple[str, ...]:
    """``"a, b"`` -> ``("a", "b")``; at least one name."""
    found = tuple(name.strip() for name in text.split(",") if name.strip())
    if not found:
        raise argparse.ArgumentTypeError("expected one or more comma-separated names")
    return found


def backend_names(text: str) -> tuple[str, ...]:
    """``"native,docker"`` -> ``("native", "docker")``, refusing unknown backends."""
    try:
        return backends.parse(text)
    except LabError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def positive_int(text: str) -> int:
    """A whole number of at least 1."""
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def non_negative_int(text: str) -> int:
    """A whole number of at least 0."""
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def positive_float(text: str) -> float:
    """A finite number above 0."""
    value = _real(text)
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be above 0 and finite, not {value}")
    return value


def seconds(text: str) -> float:
    """A duration: above 0 and at most MAX_SECONDS (30 days)."""
    value = positive_float(text)
    if value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_SECONDS:.0f} seconds (30 days), not {value}")
    return value


def sample_ms(text: str) -> float:
    """The sampling interval in milliseconds, within SAMPLE_MS."""
    value = _real(text)
    low, high = SAMPLE_MS
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"must be from {low} to {high:.0f} milliseconds, not {value}")
    return value


def fraction(text: str) -> float:
    """A fraction above 0 and below 1 (0.05 = ±5 %)."""
    value = _real(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a fraction above 0 and below 1 (0.05 = ±5 %), not {value}")
    return value


def memory_size(text: str) -> str:
    """A memory size above 0 as docker takes it (``512m``, ``4g``), kept as the user wrote it."""
    try:
        size = parse_bytes(text)
    except OverflowError:  # more digits than a float holds
        raise argparse.ArgumentTypeError(f"{text!r} is larger than any memory") from None
    except LabError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a memory size; give one such as 512m or 4g") from None
    if size < 1:
        raise argparse.ArgumentTypeError(f"must be a size above 0 (512m, 4g), not {text!r}")
    return text


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _real(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


# -- The options of each command.

@dataclass(frozen=True)
class ListOptions:
    """``list``: the catalogue to print, as a table or JSON."""

    suite: Path
    json: bool


@dataclass(frozen=True)
class RuntimesOptions:
    """``runtimes``: list what is found, or install ``LANGUAGE@VERSION`` specs."""

    action: str
    specs: tuple[str, ...]


@dataclass(frozen=True)
class Selection:
    """Which workloads, languages, variants and parameter values a comparison runs."""

    only: tuple[str, ...] = ()
    family: str | None = None
    languages: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    params: tuple[tuple[str, str], ...] = ()  # --param NAME=VALUE, typed by the plan against the catalogue


@dataclass(frozen=True)
class CompareOptions:
    """``compare``: what to run, how often, where, and where to store it."""

    profile: str
    selection: Selection
    runs: runner.RunOptions
    backend: BackendOptions
    suite: Path
    out: Path
    verbosity: int
    argv: tuple[str, ...]  # recorded in results.json


@dataclass(frozen=True)
class ReportOptions:
    """``report``: the run whose reports are written again."""

    run_dir: Path


@dataclass(frozen=True)
class DiffOptions:
    """``diff``: two runs (``RUN@MACHINE`` for one swarm machine's rows) and the files to write."""

    run_a: str
    run_b: str
    md: Path | None
    html: Path | None


@dataclass(frozen=True)
class ShowOptions:
    """``show``: a run, and the words naming one of its rows (none: list the rows)."""

    run_dir: Path
    row: tuple[str, ...]


@dataclass(frozen=True)
class PublishOptions:
    """``publish``: the run that becomes the reference, and the results folder it goes in."""

    run_dir: Path
    out: Path
    allow_failures: bool


@dataclass(frozen=True)
class CleanOptions:
    """``clean``: also remove every lab container (only while no compare runs)."""

    containers: bool


def clean_options(args: argparse.Namespace) -> CleanOptions:
    """The options of ``clean``."""
    return CleanOptions(containers=args.containers)


def list_options(args: argparse.Namespace) -> ListOptions:
    """The options of ``list``."""
    return ListOptions(suite=args.suite, json=args.json)


def runtimes_options(args: argparse.Namespace) -> RuntimesOptions:
    """The options of ``runtimes``."""
    return RuntimesOptions(action=args.action, specs=tuple(args.specs))


def report_options(args: argparse.Namespace) -> ReportOptions:
    """The options of ``report``."""
    return ReportOptions(run_dir=args.run_dir)


def diff_options(args: argparse.Namespace) -> DiffOptions:
    """The options of ``diff``."""
    return DiffOptions(run_a=args.run_a, run_b=args.run_b, md=args.md, html=args.html)


def show_options(args: argparse.Namespace) -> ShowOptions:
    """The options of ``show``."""
    return ShowOptions(run_dir=args.run_dir, row=tuple(args.row))


def publish_options(args: argparse.Namespace) -> PublishOptions:
    """The options of ``publish``."""
    return PublishOptions(run_dir=args.run_dir, out=args.out, allow_failures=args.allow_failures)


def compare_options(args: argparse.Namespace) -> CompareOptions:
    """The options of ``compare``, with every choice that depends on another checked.

    The seed of the run order is drawn here when not given: results.json records it, and
    ``--seed`` reproduces the order.
    """
    selection = Selection(only=tuple(args.only), family=args.family, languages=tuple(args.lang),
                          variants=tuple(args.variant), params=tuple(plan.parse_overrides(args.param).items()))
    return CompareOptions(
        profile=args.profile, selection=selection, runs=run_options(args), backend=backend_options(args),
        suite=args.suite, out=args.out, verbosity=args.verbosity, argv=tuple(getattr(args, "argv", ())),
    )


def run_options(args: argparse.Namespace) -> runner.RunOptions:
    """The run counts and stopping rule from the profile's defaults and the user's flags."""
    defaults = RUN_DEFAULTS[args.profile]
    min_runs, max_runs = defaults.min_runs, defaults.max_runs
    if args.runs:
        min_runs = max_runs = args.runs
    if args.min_runs is not None and args.min_runs < SEQUENTIAL_MIN_RUNS:  # --runs 1 stays: a quick look, warned about
        raise UsageError(f"--min-runs {args.min_runs} is below the {SEQUENTIAL_MIN_RUNS} runs per row that the "
                         f"sequential interval needs to ever decide a claim; give --min-runs {SEQUENTIAL_MIN_RUNS} or more")
    if args.min_runs:  # a minimum above the profile's maximum raises it, unless --max-runs says otherwise
        min_runs, max_runs = args.min_runs, max(max_runs, args.min_runs)
    if args.max_runs:
        max_runs = args.max_runs
    if max_runs < min_runs:
        raise UsageError(f"--max-runs {max_runs} is below --min-runs {min_runs}; give a --max-runs of at least the minimum")
    return runner.RunOptions(
        min_runs=min_runs, max_runs=max_runs, warmup=args.warmup, timeout_s=args.timeout, profile=args.profile,
        seed=random.randrange(2**31) if args.seed is None else args.seed,
        target=args.target_ci or defaults.target, row_budget_s=args.row_budget or defaults.row_budget_s,
        run_budget_s=args.run_budget or defaults.run_budget_s,
    )


def backend_options(args: argparse.Namespace) -> BackendOptions:
    """Where the jobs run, how they are measured, and the limits of each backend."""
    swarm = "swarm" in args.backend
    if args.machines and not swarm:
        raise UsageError("--machines chooses swarm machines; add --backend swarm")
    if args.registry and not swarm:
        raise UsageError("--registry sends images to swarm nodes; add --backend swarm")
    return BackendOptions(
        names=tuple(args.backend), languages=tuple(args.lang), sample_interval_s=args.sample_ms / 1000,
        use_cgroups=not args.no_cgroup,
        memory_limit_bytes=parse_bytes(args.memory_limit) if args.memory_limit else None,
        wrk=args.wrk, open_loop=args.open_loop,
        runtimes=RuntimeChoice(python=args.python, java=args.java, node=args.node),
        docker=DockerOptions(cpus=args.docker_cpus, cpuset=args.docker_cpuset, memory=args.docker_memory,
                             pids=args.docker_pids, build=args.docker_build),
        swarm=SwarmOptions(machines=tuple(args.machines or ()), registry=args.registry),
    )
