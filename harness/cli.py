"""``python -m harness``: list, runtimes, compare, report, diff, show, publish.

``main(argv)`` is the testable entry point. It is the one place where the lab's errors become
one-line messages and exit codes: 2 for anything the user can fix, 130 for Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
from pathlib import Path

from harness import catalogue, plan, report, runtimes
from harness.analyse import machines
from harness.errors import LabError, UsageError
from harness.judge import verdicts
from harness.measure import environment
from harness.report import diff, publish, show, terminal
from harness.results import store
from harness.run import backends, runner
from harness.runtimes import install

DEFAULT_OUT = Path("results")
# Runs per row: at least MIN, at most MAX, stopping once the key figure's 95 % interval is
# within ±TARGET or the row's measured runs have taken BUDGET seconds (see runner.RunOptions).
RUN_DEFAULTS = {
    "quick": {"min_runs": 3, "max_runs": 10, "target": 0.05, "row_budget_s": 10.0, "run_budget_s": 420.0},
    "full": {"min_runs": 5, "max_runs": 20, "target": 0.03, "row_budget_s": 120.0, "run_budget_s": None},
}


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: handled exactly like Ctrl-C, so a stopped CI job or service leaves nothing behind."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _stop(signum, frame):
    """The first Ctrl-C, SIGTERM or SIGHUP stops the run; later ones are ignored so that the
    clean-up they interrupt (killing the program, removing its cgroup, saving) always finishes."""
    for other in STOP_SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(signum)


def main(argv=None) -> int:
    """Run one subcommand; return the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    previous = {signum: signal.signal(signum, _stop) for signum in STOP_SIGNALS}
    try:
        return args.command(args)
    except LabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`| head`): not an error of the lab's
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt as interrupt:
        how = f"stopped by {signal.Signals(interrupt.signum).name}" if isinstance(interrupt, Terminated) else "interrupted"
        print(f"{how}: every finished measurement is kept in the results file", file=sys.stderr)
        return 128 + interrupt.signum if isinstance(interrupt, Terminated) else 130
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m harness", description="Runtime Lab: compare Python, Java and Node.js.")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    listing = sub.add_parser("list", help="every workload, its question, languages, variants and parameters")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.add_argument("--suite", type=Path, default=catalogue.BUILTIN, help="a catalogue file of your own")
    listing.set_defaults(command=cmd_list)

    found = sub.add_parser("runtimes", help="the Python, Java and Node runtimes found or installable; "
                                            "`runtimes install node@22 java@21 python@3.13t` installs versions")
    found.add_argument("action", nargs="?", choices=["list", "install"], default="list")
    found.add_argument("specs", nargs="*", metavar="LANGUAGE@VERSION", help="with install: node@22 java@21 python@3.13t")
    found.set_defaults(command=cmd_runtimes)

    compare = sub.add_parser("compare", help="run, measure, verify, store and print the comparison")
    profile = compare.add_mutually_exclusive_group()
    profile.add_argument("--quick", dest="profile", action="store_const", const="quick", help="small parameters (default)")
    profile.add_argument("--full", dest="profile", action="store_const", const="full", help="the sizes where differences are real")
    compare.set_defaults(profile="quick")
    compare.add_argument("--only", type=_names, default=[], metavar="W,...", help="only these workloads")
    compare.add_argument("--family", help="only this family (memory, threading, async)")
    compare.add_argument("--lang", type=_names, default=[], metavar="L,...", help="only these languages")
    compare.add_argument("--variant", type=_names, default=[], metavar="V,...", help="only these variants (threads, list, ...)")
    noise = compare.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=0, help="no progress bar, only the summary")
    noise.add_argument("-v", "--verbose", dest="verbosity", action="store_const", const=2, help="a line for every run")
    compare.set_defaults(verbosity=1)
    compare.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="override a parameter (n=1000, threads=1,2,4)")
    compare.add_argument("--runs", type=_positive_int, metavar="N", help="exactly N measured runs per row (sets --min-runs and --max-runs)")
    compare.add_argument("--min-runs", type=_positive_int, metavar="N", help="measured runs per row at least (quick 3, full 5)")
    compare.add_argument("--max-runs", type=_positive_int, metavar="N", help="measured runs per row at most (quick 10, full 20)")
    compare.add_argument("--target-ci", type=_positive_fraction, metavar="F",
                         help="stop adding runs once the key figure's 95 %% interval is within ±F of it (quick 0.05, full 0.03)")
    compare.add_argument("--row-budget", type=_positive_float, metavar="S",
                         help="stop adding runs once a row's measured runs took S seconds (quick 10, full 120)")
    compare.add_argument("--run-budget", type=_positive_float, metavar="S",
                         help="no extra runs once the whole run has taken S seconds (quick 420, full no limit); "
                              "every row still gets --min-runs")
    compare.add_argument("--warmup", type=_non_negative_int, default=1, help="discarded warm-up runs per program (1)")
    compare.add_argument("--timeout", type=_positive_float, help="seconds before a run is killed (quick 120, full 900)")
    compare.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results directory (results)")
    compare.add_argument("--suite", type=Path, default=catalogue.BUILTIN, help="a catalogue file of your own")
    compare.add_argument("--seed", type=int, help="seed of the shuffled run order (default: drawn for each run, and recorded)")
    compare.add_argument("--sample-ms", type=_positive_float, default=5.0, help="process-tree sampling interval (5)")
    compare.add_argument("--no-cgroup", action="store_true", help="measure peak memory by sampling only")
    compare.add_argument("--memory-limit", metavar="SIZE",
                         help="natively, cap each run's memory with no swap (512m, 4g), as --docker-memory does in "
                              "containers; a run over it is killed and marked oom (needs a cgroup per run)")
    compare.add_argument("--wrk", action="store_true",
                         help="drive HTTP servers with wrk instead of the lab's generator (wrk checks no response "
                              "bodies: its rows say so)")
    compare.add_argument("--open-loop", action="store_true",
                         help="after each server's closed-loop window, constant-rate windows at 50 %% and 80 %% of its "
                              "rate, latency counted from when each request was due (coordinated omission corrected)")
    compare.add_argument("--no-wrk", action="store_true", help=argparse.SUPPRESS)  # the default since wrk became opt-in
    compare.add_argument("--backend", type=_backend_names, default=("native",), metavar="B[,B]",
                         help="native: the runtimes installed here (default); docker: every run in a fresh "
                              "container; native,docker: both, interleaved, with a container-overhead table; "
                              "swarm: every run a Docker Swarm job on the --machines, from a manager node")
    docker = compare.add_argument_group("docker backend", "the same limits for every container, whatever its language")
    docker.add_argument("--docker-cpus", type=_positive_float, metavar="N", help="CPU quota (default: none)")
    docker.add_argument("--docker-cpuset", metavar="LIST", help="the CPUs it may run on, e.g. 0-1 (default: all)")
    docker.add_argument("--docker-memory", default="4g", metavar="SIZE", help="memory limit, no swap (4g)")
    docker.add_argument("--docker-pids", type=_positive_int, default=16384, metavar="N", help="processes and threads (16384)")
    docker.add_argument("--docker-build", choices=("auto", "never", "always"), default="auto",
                        help="build the images when missing or out of date (auto), never (use the images as tagged), always")
    swarm = compare.add_argument_group("swarm backend", "the docker backend's images and limits, as jobs on labelled nodes")
    swarm.add_argument("--machines", type=_names, metavar="NAME,...|all",
                       help="the machines to run on: nodes labelled runtime-lab.machine=NAME (default: all)")
    swarm.add_argument("--registry", metavar="HOST:PORT",
                       help="push the images there for the nodes to pull (default: each node uses the images it has)")
    _runtime_options(compare)
    compare.set_defaults(command=cmd_compare)

    regenerate = sub.add_parser("report", help="regenerate results.md, results.csv, report.html and plots from a run's results.json")
    regenerate.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    regenerate.set_defaults(command=cmd_report)

    compared = sub.add_parser("diff", help="two runs row by row: ratios with intervals and significance; "
                                           "RUN@MACHINE takes one swarm machine's rows (two machines of one run)")
    compared.add_argument("run_a", metavar="RUN_A")
    compared.add_argument("run_b", metavar="RUN_B")
    compared.add_argument("--md", type=Path, metavar="FILE", help="also write the diff as Markdown")
    compared.add_argument("--html", type=Path, metavar="FILE", help="also write the diff as an HTML page")
    compared.set_defaults(command=cmd_diff)

    shown = sub.add_parser("show", help="one row of a run: its exact command, runtime and every figure")
    shown.add_argument("run_dir", type=Path, metavar="RUN")
    shown.add_argument("row", nargs="*", metavar="ROW", help="words naming the row: workload, language/variant, params")
    shown.set_defaults(command=cmd_show)

    published = sub.add_parser("publish", help="make a run the lab's published reference (results/README.md, results/reference/)")
    published.add_argument("run_dir", type=Path, metavar="RUN")
    published.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results directory (results)")
    published.add_argument("--allow-failures", action="store_true", help="publish even if some rows failed")
    published.set_defaults(command=cmd_publish)
    return parser


def _runtime_options(parser) -> None:
    several = "; several, comma-separated (3.11,3.13t), or all: every program runs on each, the first is judged"
    parser.add_argument("--python", metavar="WHICH", help="the Python to measure: a path or a version (default: this one)" + several)
    parser.add_argument("--java", metavar="WHICH", help="a java executable, JDK home or version such as 21 (default: the newest JDK found)" + several)
    parser.add_argument("--node", metavar="WHICH", help="the node executable or a version such as 22 (default: node on PATH)" + several)


def cmd_list(args) -> int:
    """Print the catalogue."""
    loaded = catalogue.load(args.suite)
    entries = [_describe_workload(w) for w in loaded.workloads.values()]
    if args.json:
        print(json.dumps(entries, indent=2))
        return 0
    for entry in entries:
        print(f"{entry['name']} [{entry['family']}]: {entry['question']}")
        for language, variants in entry["programs"].items():
            print(f"    {language}: {', '.join(variants)}")
        params = "; ".join(f"{k} quick={v['quick']} full={v['full']}" for k, v in entry["params"].items())
        print(f"    params: {params or '(none)'}")
    return 0


def _describe_workload(workload) -> dict:
    programs = {}
    for program in workload.programs:
        programs.setdefault(program.language, []).append(program.variant)
    return {
        "name": workload.name,
        "kind": workload.kind,
        "family": workload.family,
        "question": workload.question,
        "claim": workload.claim,
        "languages": workload.languages(),
        "programs": programs,
        "params": workload.params,
        "report_metrics": list(workload.report_metrics),
        "scaling": workload.scaling,
        "slope": workload.slope,
        "key_figure": workload.key_figure,
    }


def cmd_runtimes(args) -> int:
    """Print every runtime found here and what can be installed, or install versions."""
    if args.action == "install":
        if not args.specs:
            raise UsageError("say what to install: runtimes install node@22 java@21 python@3.13t")
        for spec in args.specs:
            install.parse_spec(spec)  # every spec checked before the first download
        for spec in args.specs:
            install.install(spec)
        return 0
    for language in catalogue.LANGUAGES:
        found = runtimes.available(language)
        for runtime in found:
            where = "installed by the lab" if install.cache_root() in runtime.executable.parents else "this machine"
            print(f"{language:7} {runtime.tag:6} {runtime.version:10} {where:21} {runtime.executable}")
        if not found:
            print(f"{language:7} {'-':6} {'missing':10}")
    print(f"installable: {', '.join(install.INSTALLABLE)}  (python -m harness runtimes install LANGUAGE@VERSION)")
    return 0


def cmd_compare(args) -> int:
    """Run the comparison, write its reports, and print the answers and any failures."""
    if args.seed is None:
        args.seed = random.randrange(2**31)  # recorded in results.json; --seed reproduces the order
    options = run_options(args)
    loaded = catalogue.load(args.suite)
    workloads = plan.select(loaded, args.only, args.family, args.lang)
    # The runtimes are found first: several of one language multiply its jobs, natively and in containers.
    asked = args.python or args.java or args.node
    toolchain = runtimes.discover(args.python, args.java, args.node) if "native" in args.backend or asked else None
    jobs = plan.jobs_for(workloads, args.profile, args.lang, plan.parse_overrides(args.param), backends.places(args),
                         args.variant, toolchain.tags() if toolchain else None)
    plan.check_thread_limits(jobs)
    chosen = backends.Backends(args, jobs, toolchain)
    try:
        return _compare(args, options, loaded, workloads, jobs, chosen)
    finally:
        chosen.close()


def _compare(args, options, loaded, workloads, jobs, chosen) -> int:
    results = store.ResultsStore(
        args.out, store.new_run_id(), environment.collect(chosen.toolchain, chosen.primary()) | chosen.describe(),
        {"profile": args.profile, "min_runs": options.min_runs, "max_runs": options.max_runs,
         "target_ci": options.target, "row_budget_s": options.row_budget_s, "run_budget_s": options.run_budget_s,
         "warmup": options.warmup, "seed": args.seed,
         "suite": str(loaded.path), "argv": sys.argv[1:]},
        {w.name: _describe_workload(w) for w in workloads},
    )
    _warn_missing(chosen.toolchain)
    try:
        with terminal.RunProgress(args.verbosity) as progress:
            measurements = runner.run_all(jobs, chosen, results, options, chosen.skip_reason, progress, chosen.lane)
    finally:
        results.document["environment"].get("backends", {}).update(chosen.machines())  # the facts the jobs reported
        _finish_run(results, args.out)
    terminal.print_summary(results.document, results.run_dir)
    return 0 if all(m.status in ("ok", "skipped") for m in measurements) else 1


def run_options(args) -> runner.RunOptions:
    """The run counts and stopping rule from the profile's defaults and the user's flags."""
    chosen = dict(RUN_DEFAULTS[args.profile])
    if args.runs:
        chosen["min_runs"] = chosen["max_runs"] = args.runs
    if args.min_runs:  # a minimum above the profile's maximum raises it, unless --max-runs says otherwise
        chosen["min_runs"] = args.min_runs
        chosen["max_runs"] = max(chosen["max_runs"], args.min_runs)
    if args.max_runs:
        chosen["max_runs"] = args.max_runs
    if args.target_ci:
        chosen["target"] = args.target_ci
    if args.row_budget:
        chosen["row_budget_s"] = args.row_budget
    if args.run_budget:
        chosen["run_budget_s"] = args.run_budget
    if chosen["max_runs"] < chosen["min_runs"]:
        raise UsageError(f"--max-runs {chosen['max_runs']} is below --min-runs {chosen['min_runs']}; "
                         "give a --max-runs of at least the minimum")
    return runner.RunOptions(warmup=args.warmup, timeout_s=args.timeout, profile=args.profile, seed=args.seed, **chosen)


def _finish_run(results: store.ResultsStore, out_dir: Path) -> None:
    """Judge the claims, write the run's reports beside its JSON and point ``latest`` at it.

    Nothing outside the run's own folder changes but the ``latest`` link: the published
    reference report changes only through ``publish``.
    """
    results.document["environment"] = environment.finish(results.document["environment"])
    results.save_verdicts(verdicts.judge_all(results.document))
    report.write_reports(results.document, results.run_dir)
    publish.point_latest(out_dir, results.run_dir)


def _warn_missing(toolchain) -> None:
    for why in toolchain.missing.values():
        print(f"warning: skipping {why}", file=sys.stderr)


def cmd_report(args) -> int:
    """Regenerate one run's reports and plots from its JSON."""
    document = store.load(args.run_dir)
    run_dir = args.run_dir if args.run_dir.is_dir() else args.run_dir.parent
    for path in report.write_reports(document, run_dir):
        print(path)
    return 0


def cmd_diff(args) -> int:
    """Compare two runs, print the table and write --md / --html files."""
    from rich.console import Console
    from rich.table import Table

    found = diff.compare_runs(_load_run(args.run_a), _load_run(args.run_b))
    terminal = Console(width=max(150, Console().width))
    for line in found.provenance:
        terminal.print(line, highlight=False)
    for warning in found.warnings:
        terminal.print(f"[bold red]warning:[/] {warning}; the ratios mix that difference with any other", highlight=False)
    table = Table(title=f"run {found.b} against run {found.a}", title_justify="left")
    for header in diff.HEADERS:
        table.add_column(header, overflow="fold", min_width=44 if header == "row" else None)
    for row in diff.table_rows(found):
        table.add_row(*row, style="bold" if row[-1] == "significant" else None)
    terminal.print(table)
    for claim, backend, before, after in found.verdicts:
        terminal.print(f"verdict {claim} [{backend}]: {before} → {after}", highlight=False)
    for title, rows in (("only in A", found.only_a), ("only in B", found.only_b)):
        if rows:
            terminal.print(f"{title}: " + "; ".join(rows), highlight=False)
    if args.md:
        _write(args.md, diff.markdown(found))
    if args.html:
        _write(args.html, diff.html(found))
    return 0


def _load_run(text: str) -> dict:
    """A run's document, or one swarm machine's part of it (``results/latest@A``)."""
    path, at, machine = text.rpartition("@")
    if not at or Path(text).exists():
        return store.load(Path(text))
    return machines.view(store.load(Path(path)), machine)


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}; choose a writable path") from None


def cmd_show(args) -> int:
    """Print one row's command, runtime and figures; with no row, list the rows."""
    document = store.load(args.run_dir)
    if not args.row:
        for record in document["measurements"]:
            print(show.row_name(record))
        return 0
    print(show.describe(document, show.find(document, args.row)))
    return 0


def cmd_publish(args) -> int:
    """Make one run the published reference report."""
    for path in publish.publish(args.run_dir, args.out, args.allow_failures):
        print(path)
    return 0


def _backend_names(text: str) -> tuple:
    try:
        return backends.parse(text)
    except LabError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _names(text: str) -> list:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected one or more comma-separated names")
    return names


def _positive_int(text: str) -> int:
    value = _number(text, int)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _non_negative_int(text: str) -> int:
    value = _number(text, int)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _positive_float(text: str) -> float:
    value = _number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0, not {value}")
    return value


def _positive_fraction(text: str) -> float:
    value = _number(text, float)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a fraction above 0 and below 1 (0.05 = ±5 %), not {value}")
    return value


def _number(text: str, kind):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
