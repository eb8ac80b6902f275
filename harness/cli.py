"""``python -m harness``: list, runtimes, compare, report, diff, show, publish.

``main(argv)`` is the testable entry point. argparse's namespace becomes the frozen option objects
of ``harness.options`` here, once; nothing below this module reads it. ``main`` is also the one
place where failures become exit codes (EXIT_CODES, printed by ``--help`` too):

- 0: every row is ok (or skipped);
- 1: some row failed or mismatched;
- 2: bad input or environment, with a one-line message that says what to do;
- 3: a defect of the lab: one line naming the log file that holds the traceback;
- 130 after Ctrl-C, 128 + N after signal N (143 for SIGTERM, 129 for SIGHUP): every finished
  measurement is kept.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from harness import catalogue, options, plan, report, runtimes
from harness.analyse import machines
from harness.errors import LabError, UsageError
from harness.judge import verdicts
from harness.measure import cgroup, environment
from harness.paths import CACHE
from harness.report import diff, publish, show, terminal
from harness.results import store
from harness.run import backends, runner
from harness.runtimes import image_runtimes, install

DEFAULT_OUT = Path("results")
EXIT_CODES = """exit codes:
  0    every row is ok
  1    some row failed or mismatched
  2    bad input or environment (a one-line message says what to do)
  3    a defect of the lab (a one-line message names the log file with the traceback)
  130  Ctrl-C; 128+N after signal N (143 SIGTERM, 129 SIGHUP): finished measurements are kept"""
DEFECT = 3
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _stop(received: list[int], signum: int, frame: object) -> None:
    """The first Ctrl-C, SIGTERM or SIGHUP stops the run; later ones are ignored so that the
    clean-up they interrupt (killing the program, removing its cgroup, saving) always finishes.

    The signal is recorded in ``received`` for ``main``; the run is stopped the way Ctrl-C stops
    it, by a plain KeyboardInterrupt, so a stopped CI job or service leaves nothing behind either.
    """
    for other in STOP_SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    received.append(signum)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; return the process exit code (see EXIT_CODES)."""
    argv = sys.argv[1:] if argv is None else [str(arg) for arg in argv]
    received: list[int] = []
    previous = {signum: signal.signal(signum, functools.partial(_stop, received)) for signum in STOP_SIGNALS}
    args = None
    try:
        args = _arguments(argv)
        return int(args.command(args.options(args)))
    except SystemExit as exit_:  # --help (0), or argparse's one-line error (2)
        return exit_.code if isinstance(exit_.code, int) else 2
    except LabError as error:
        print(f"error: {_one_line(str(error))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`| head`): not an error of the lab's
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return _stopped(received[0] if received else signal.SIGINT)
    except Exception as error:  # anything else is a defect of the lab: exit 3, the traceback in a log file
        return _defect(error, getattr(args, "out", None))
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def parse(argv: list[str]) -> tuple[Callable[[Any], int], object]:
    """The command ``argv`` names and its option objects, without running anything.

    A bad value exits 2 (SystemExit, one line); a bad combination raises a LabError.
    """
    args = _arguments(argv)
    return args.command, args.options(args)


def _arguments(argv: list[str]) -> argparse.Namespace:
    """argparse's namespace, with ``argv`` kept in it for the run record."""
    parser = _parser()
    for arg in argv:  # argparse (3.11) turns ``--timeout=--`` into an empty list, past the option's type
        name, equals, value = arg.partition("=")
        if name.startswith("--") and equals and value == "--":
            parser.error(f"argument {name}: expected a value, not '--'")
    return parser.parse_args(argv, namespace=argparse.Namespace(argv=tuple(argv)))


def _stopped(signum: int) -> int:
    """Say how the run was stopped; 130 for Ctrl-C, 128 + N for signal N."""
    how = "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
    print(f"{how}: every finished measurement is kept in the results file", file=sys.stderr)
    return 130 if signum == signal.SIGINT else 128 + signum


def _defect(error: Exception, out: Path | None) -> int:
    """A defect of the lab: the traceback goes to a log file, and one line names it (exit 3)."""
    text = "".join(traceback.format_exception(error))
    # Beside the runs when there is a results folder (compare, publish), else in the lab's cache.
    log = _write_log(text, [*([out] if out else []), CACHE / "logs", Path(tempfile.gettempdir())])
    where = f"the traceback is in {log}" if log else "no log file could be written:\n" + text
    print(f"error: a defect of the lab ({type(error).__name__}: {_one_line(str(error))}); {where}; please report it",
          file=sys.stderr)
    return DEFECT


def _write_log(text: str, folders: list[Path]) -> Path | None:
    """Write ``text`` to ``lab-error-<time>.log`` in the first of ``folders`` that takes it."""
    name = f"lab-error-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
        except OSError:
            continue
        return folder / name
    return None


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line: the usage is one ``--help`` away."""

    def error(self, message: str) -> NoReturn:
        """Print ``error: MESSAGE; see PROG --help`` and exit 2."""
        self.exit(2, f"error: {_one_line(message)}; see {self.prog} --help\n")


def _one_line(text: str) -> str:
    """``text`` with line breaks and other unprintable characters escaped: an error is one line."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _parser() -> argparse.ArgumentParser:
    """The command line: one subcommand, each with the builder of its option objects."""
    parser = _Parser(prog="python -m harness", description="Runtime Lab: compare Python, Java and Node.js.",
                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    listing = sub.add_parser("list", help="every workload, its question, languages, variants and parameters")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.add_argument("--suite", type=Path, default=catalogue.BUILTIN, help="a catalogue file of your own")
    listing.set_defaults(command=cmd_list, options=options.list_options)

    found = sub.add_parser("runtimes", help="the Python, Java and Node runtimes found or installable; "
                                            "`runtimes install node@22 java@21 python@3.13t` installs versions")
    found.add_argument("action", nargs="?", choices=["list", "install"], default="list")
    found.add_argument("specs", nargs="*", metavar="LANGUAGE@VERSION", help="with install: node@22 java@21 python@3.13t")
    found.set_defaults(command=cmd_runtimes, options=options.runtimes_options)

    compare = sub.add_parser("compare", help="run, measure, verify, store and print the comparison")
    profile = compare.add_mutually_exclusive_group()
    profile.add_argument("--quick", dest="profile", action="store_const", const="quick", help="small parameters (default)")
    profile.add_argument("--full", dest="profile", action="store_const", const="full", help="the sizes where differences are real")
    compare.set_defaults(profile="quick")
    compare.add_argument("--only", type=options.names, default=[], metavar="W,...", help="only these workloads")
    compare.add_argument("--family", help="only this family (memory, threading, async)")
    compare.add_argument("--lang", type=options.names, default=[], metavar="L,...", help="only these languages")
    compare.add_argument("--variant", type=options.names, default=[], metavar="V,...", help="only these variants (threads, list, ...)")
    noise = compare.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=0, help="no progress bar, only the summary")
    noise.add_argument("-v", "--verbose", dest="verbosity", action="store_const", const=2, help="a line for every run")
    compare.set_defaults(verbosity=1)
    compare.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="override a parameter (n=1000, threads=1,2,4)")
    compare.add_argument("--runs", type=options.positive_int, metavar="N", help="exactly N measured runs per row (sets --min-runs and --max-runs)")
    quick, full = options.RUN_DEFAULTS["quick"], options.RUN_DEFAULTS["full"]
    compare.add_argument("--min-runs", type=options.positive_int, metavar="N",
                         help=f"measured runs per row at least (quick {quick.min_runs}, full {full.min_runs})")
    compare.add_argument("--max-runs", type=options.positive_int, metavar="N",
                         help=f"measured runs per row at most (quick {quick.max_runs}, full {full.max_runs})")
    compare.add_argument("--target-ci", type=options.fraction, metavar="F",
                         help=f"stop adding runs once the key figure's 95 %% interval is within ±F of it "
                              f"(quick {quick.target:g}, full {full.target:g})")
    compare.add_argument("--row-budget", type=options.seconds, metavar="S",
                         help=f"stop adding runs once a row's measured runs took S seconds "
                              f"(quick {quick.row_budget_s:.0f}, full {full.row_budget_s:.0f})")
    compare.add_argument("--run-budget", type=options.seconds, metavar="S",
                         help=f"no extra runs once the whole run has taken S seconds (quick {_budget(quick.run_budget_s)}, "
                              f"full {_budget(full.run_budget_s)}); every row still gets --min-runs")
    compare.add_argument("--warmup", type=options.non_negative_int, default=1, help="discarded warm-up runs per program (1)")
    compare.add_argument("--timeout", type=options.seconds, help="seconds before a run is killed (quick 120, full 900)")
    compare.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results directory (results)")
    compare.add_argument("--suite", type=Path, default=catalogue.BUILTIN, help="a catalogue file of your own")
    compare.add_argument("--seed", type=int, help="seed of the shuffled run order (default: drawn for each run, and recorded)")
    compare.add_argument("--sample-ms", type=options.sample_ms, default=10.0, help="process-tree sampling interval (10)")
    compare.add_argument("--no-cgroup", action="store_true", help="measure peak memory by sampling only")
    compare.add_argument("--memory-limit", type=options.memory_size, metavar="SIZE",
                         help="natively, cap each run's memory with no swap (512m, 4g), as --docker-memory does in "
                              "containers; a run over it is killed and marked oom (needs a cgroup per run)")
    compare.add_argument("--wrk", action="store_true",
                         help="drive HTTP servers with wrk instead of the lab's generator (wrk checks no response "
                              "bodies: its rows say so)")
    compare.add_argument("--open-loop", action="store_true",
                         help="after each server's closed-loop window, constant-rate windows at 50 %% and 80 %% of its "
                              "rate, latency counted from when each request was due (coordinated omission corrected)")
    compare.add_argument("--backend", type=options.backend_names, default=("native",), metavar="B[,B]",
                         help="native: the runtimes installed here (default); docker: every run in a fresh "
                              "container; native,docker: both, interleaved, with a container-overhead table; "
                              "swarm: every run a Docker Swarm job on the --machines, from a manager node")
    docker = compare.add_argument_group("docker backend", "the same limits for every container, whatever its language")
    docker.add_argument("--docker-cpus", type=options.positive_float, metavar="N", help="CPU quota (default: none)")
    docker.add_argument("--docker-cpuset", metavar="LIST", help="the CPUs it may run on, e.g. 0-1 (default: all)")
    docker.add_argument("--docker-memory", type=options.memory_size, default="4g", metavar="SIZE", help="memory limit, no swap (4g)")
    docker.add_argument("--docker-pids", type=options.positive_int, default=16384, metavar="N", help="processes and threads (16384)")
    docker.add_argument("--docker-build", choices=("auto", "never", "always"), default="auto",
                        help="build the images when missing or out of date (auto), never (use the images as tagged), always")
    swarm = compare.add_argument_group("swarm backend", "the docker backend's images and limits, as jobs on labelled nodes")
    swarm.add_argument("--machines", type=options.names, metavar="NAME,...|all",
                       help="the machines to run on: nodes labelled runtime-lab.machine=NAME (default: all)")
    swarm.add_argument("--registry", metavar="HOST:PORT",
                       help="push the images there for the nodes to pull (default: each node uses the images it has)")
    _runtime_options(compare)
    compare.set_defaults(command=cmd_compare, options=options.compare_options)

    regenerate = sub.add_parser("report", help="regenerate results.md, results.csv, report.html and plots from a run's results.json")
    regenerate.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    regenerate.set_defaults(command=cmd_report, options=options.report_options)

    compared = sub.add_parser("diff", help="two runs row by row: ratios with intervals and significance; "
                                           "RUN@MACHINE takes one swarm machine's rows (two machines of one run)")
    compared.add_argument("run_a", metavar="RUN_A")
    compared.add_argument("run_b", metavar="RUN_B")
    compared.add_argument("--md", type=Path, metavar="FILE", help="also write the diff as Markdown")
    compared.add_argument("--html", type=Path, metavar="FILE", help="also write the diff as an HTML page")
    compared.set_defaults(command=cmd_diff, options=options.diff_options)

    shown = sub.add_parser("show", help="one row of a run: its exact command, runtime and every figure")
    shown.add_argument("run_dir", type=Path, metavar="RUN")
    shown.add_argument("row", nargs="*", metavar="ROW", help="words naming the row: workload, language/variant, params")
    shown.set_defaults(command=cmd_show, options=options.show_options)

    published = sub.add_parser("publish", help="make a run the lab's published reference (results/README.md, results/reference/)")
    published.add_argument("run_dir", type=Path, metavar="RUN")
    published.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results directory (results)")
    published.add_argument("--allow-failures", action="store_true", help="publish even if some rows failed")
    published.set_defaults(command=cmd_publish, options=options.publish_options)

    cleaned = sub.add_parser("clean", help="remove what a harness killed with -9 left: run cgroups whose harness is gone "
                                           "(every compare also does this when it starts)")
    cleaned.add_argument("--containers", action="store_true",
                         help="also remove every lab container (only while no compare runs)")
    cleaned.set_defaults(command=cmd_clean, options=options.clean_options)
    return parser


def cmd_clean(chosen: options.CleanOptions) -> int:
    """Remove stale run cgroups (their harness is gone) and, if asked, every lab container."""
    stale = sorted(Path(cgroup.ROOT).glob(f"**/{cgroup.PARENT}/run-*"))  # runs nest under the harness's own cgroup
    removed = [path for parent in sorted({path.parent for path in stale}) for path in cgroup.remove_stale(parent)]
    print(f"removed {len(removed)} stale run cgroup folders" + (f" ({len(stale) - len(removed)} belong to a running harness)"
                                                                  if len(stale) > len(removed) else ""))
    if chosen.containers:
        from harness.executors.docker.containers import remove_labelled
        from harness.executors.docker.executor import connect

        print(f"removed {remove_labelled(connect(timeout_s=10))} lab containers")
    return 0


def _budget(seconds: float | None) -> str:
    """A run budget as the help text shows it."""
    return "no limit" if seconds is None else f"{seconds:.0f}"


def _runtime_options(parser: argparse.ArgumentParser) -> None:
    def several(example: str) -> str:
        return f"; several, comma-separated ({example}), or all: every program runs on each, the first is judged"
    parser.add_argument("--python", metavar="WHICH",
                        help="the Python to measure: a path or a version (default: this one)" + several("3.11,3.13t,pypy"))
    parser.add_argument("--java", metavar="WHICH",
                        help="a java executable, JDK home or version such as 21 (default: the newest JDK found)" + several("21,25"))
    parser.add_argument("--node", metavar="WHICH",
                        help="the node executable or a version such as 22 (default: node on PATH)" + several("20,bun,deno"))


def cmd_list(chosen: options.ListOptions) -> int:
    """Print the catalogue."""
    loaded = catalogue.load(chosen.suite)
    entries = [_describe_workload(w) for w in loaded.workloads.values()]
    if chosen.json:
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
    programs: dict[str, list[str]] = {}
    for program in workload.programs:
        programs.setdefault(program.language, []).append(program.variant)
    return {
        "name": workload.name,
        "kind": workload.kind,
        "family": workload.family,
        "question": workload.question,
        "claim": verdicts.claim_text(workload.claim),
        "languages": workload.languages(),
        "programs": programs,
        "params": workload.params,
        "report_metrics": list(workload.report_metrics),
        "scaling": workload.scaling,
        "slope": workload.slope,
        "key_figure": workload.key_figure,
    }


def cmd_runtimes(chosen: options.RuntimesOptions) -> int:
    """Print every runtime found here and what can be installed, or install versions."""
    if chosen.action == "install":
        if not chosen.specs:
            raise UsageError("say what to install: runtimes install node@22 java@21 python@3.13t")
        for spec in chosen.specs:
            install.parse_spec(spec)  # every spec checked before the first download
        for spec in chosen.specs:
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
    in_sid = ", ".join(f"--{r.language} sid:{r.name}" for r in image_runtimes.IN_SID)
    print(f"in Debian sid's image {image_runtimes.SID_IMAGE}, with --backend docker: {in_sid}  "
          f"(scripts/build-base-images.sh sid)")
    return 0


def cmd_compare(chosen: options.CompareOptions) -> int:
    """Run the comparison, write its reports, and print the answers and any failures."""
    selection, backend = chosen.selection, chosen.backend
    loaded = catalogue.load(chosen.suite)
    workloads = plan.select(loaded, list(selection.only), selection.family, list(selection.languages))
    # The runtimes are found first: several of one language multiply its jobs, natively and in containers.
    which = backend.runtimes
    # Only containers run (docker, swarm): a version this machine lacks may come from an image (sid:3.14).
    in_images = "native" not in backend.names
    toolchain = (runtimes.discover(which.python, which.java, which.node, in_images=in_images)
                 if "native" in backend.names or which.asked() else None)
    jobs = plan.jobs_for(workloads, chosen.profile, list(selection.languages), dict(selection.params),
                         backends.places(backend), list(selection.variants), toolchain.tags() if toolchain else None)
    plan.check_thread_limits(jobs)
    executors = backends.Backends(backend, jobs, toolchain)
    try:
        return _compare(chosen, loaded, workloads, jobs, executors)
    finally:
        executors.close()


def _compare(chosen: options.CompareOptions, loaded: catalogue.Catalogue, workloads: list, jobs: list,
             executors: backends.Backends) -> int:
    """Measure the jobs into a new run folder, judge and report it; 0 when every row is ok."""
    counts = chosen.runs
    results = store.ResultsStore(
        chosen.out, store.new_run_id(), environment.collect(executors.toolchain, executors.primary()) | executors.describe(),
        {"profile": chosen.profile, "min_runs": counts.min_runs, "max_runs": counts.max_runs,
         "target_ci": counts.target, "row_budget_s": counts.row_budget_s, "run_budget_s": counts.run_budget_s,
         "warmup": counts.warmup, "seed": counts.seed,
         "suite": str(loaded.path), "argv": list(chosen.argv)},
        {w.name: _describe_workload(w) for w in workloads},
    )
    _warn_missing(executors.toolchain)
    judged = _claims_in_selection(workloads, chosen.selection.languages)
    try:
        with terminal.RunProgress(chosen.verbosity, judge=verdicts.judge_all, claim_workloads=judged) as progress:
            measurements = runner.run_all(jobs, executors, results, counts, executors.skip_reason, progress, executors.lane)
    finally:
        results.document["environment"].get("backends", {}).update(executors.machines())  # the facts the jobs reported
        _finish_run(results, chosen.out)
    terminal.print_summary(results.document, results.run_dir, selected_claims=judged)
    return 0 if all(m.status in ("ok", "skipped") for m in measurements) else 1


def _claims_in_selection(workloads: list, languages) -> dict[str, list[str]]:
    """Claim id -> its workloads, for the claims a run of these workloads and languages can judge:
    one of its workloads chosen, and (with --lang) every language it is about."""
    chosen = {workload.name for workload in workloads}
    return {claim: names for claim, names in verdicts.CLAIM_WORKLOADS.items()
            if chosen & set(names) and (not languages or verdicts.CLAIM_LANGUAGES[claim] <= set(languages))}


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


def cmd_report(chosen: options.ReportOptions) -> int:
    """Regenerate one run's reports and plots from its JSON."""
    document = store.load(chosen.run_dir)
    run_dir = chosen.run_dir if chosen.run_dir.is_dir() else chosen.run_dir.parent
    for path in report.write_reports(document, run_dir):
        print(path)
    return 0


def cmd_diff(chosen: options.DiffOptions) -> int:
    """Compare two runs, print the table and write --md / --html files."""
    from rich.console import Console
    from rich.table import Table

    found = diff.compare_runs(_load_run(chosen.run_a), _load_run(chosen.run_b))
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
    for note in found.notes:
        terminal.print(f"{note}: each figure is tested against it", highlight=False)
    terminal.print(found.summary, highlight=False)
    for claim, backend, before, after in found.verdicts:
        terminal.print(f"verdict {claim} [{backend}]: {before} → {after}", highlight=False)
    for title, rows in (("only in A", found.only_a), ("only in B", found.only_b)):
        if rows:
            terminal.print(f"{title}: " + "; ".join(rows), highlight=False)
    if chosen.md:
        _write(chosen.md, diff.markdown(found))
    if chosen.html:
        _write(chosen.html, diff.html(found))
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


def cmd_show(chosen: options.ShowOptions) -> int:
    """Print one row's command, runtime and figures; with no row, list the rows."""
    document = store.load(chosen.run_dir)
    if not chosen.row:
        for record in document["measurements"]:
            print(show.row_name(record))
        return 0
    print(show.describe(document, show.find(document, list(chosen.row))))
    return 0


def cmd_publish(chosen: options.PublishOptions) -> int:
    """Make one run the published reference report."""
    for path in publish.publish(chosen.run_dir, chosen.out, chosen.allow_failures):
        print(path)
    return 0
