"""The report's content as data: the answers, the run summary, and each workload's tables.

``markdown.py`` and ``html.py`` render the same ``Report``, so the two never say different
things. Everything here is computed from a results document alone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from harness import catalogue
from harness.analyse import backends, figures, machines, stats
from harness.judge import verdicts
from harness.results import model
from harness.results.model import KEY_FIELDS, SUMMARY_FIELDS, Status, params_text, row_label

__all__ = ["params_text", "row_label"]  # the model's; the terminal and ``show`` take them from here too

MIB = 2**20
LOUD = {Status.FAILED: "FAILED", Status.TIMEOUT: "TIMEOUT", Status.OOM: "OOM", Status.MISMATCH: "MISMATCH",
        Status.SKIPPED: "skipped"}
COUNT_FIELDS = {"threads_peak", "processes_peak", "ctx_voluntary", "ctx_involuntary"}


@dataclass
class Table:
    """Headers and rows of strings, with a sentence above and, if collapsed, a summary line."""

    headers: list
    rows: list
    caption: str = ""
    collapsed: str = ""  # the summary of a details block; "" shows the table open
    anchors: list = field(default_factory=list)  # per row, an id a link can point at ("" for none)


@dataclass
class Plot:
    """A plot file (``plots/<stem>.png`` and ``.svg``) and what it shows."""

    stem: str
    alt: str


@dataclass
class ClaimDetail:
    """One verdict: its heading, what it was judged from, and its predicates."""

    anchor: str
    heading: str
    outcome: str
    source: str
    note: str
    table: Table
    plots: list = field(default_factory=list)  # the plots of the workloads it was judged from


@dataclass
class Section:
    """One workload: its question, the claim it tests, notes, tables and plots."""

    name: str
    family: str
    question: str
    claim: str
    notes: list
    tables: list
    plots: list


@dataclass
class Report:
    """Everything a report shows, in reading order."""

    title: str
    answers: Table | None  # None when the run measured nothing any claim is judged on (a suite of one's own)
    summary: str
    machines: Table | None  # swarm runs on several machines: their key ratios side by side
    verdict_note: str
    outcome_legend: str
    claims: list
    environment: list
    sections: list
    overhead: Table | None
    problems: list
    legend: str
    native_and_containers: list = field(default_factory=list)  # Tables; the first one's caption leads (a run on both backends)
    implementations: Table | None = None  # outcomes per implementation, side by side (a run of pypy, bun, python3.13t ...)


def build(document: dict) -> Report:
    """The whole report of one results document."""
    found, verdict_note = stored_or_current_verdicts(document)
    records = document["measurements"]
    return Report(
        title=f"Runtime Lab results: run {document['run_id']}",
        answers=answers_table(found) if _claims_in_reach(found, records) else None,
        summary=run_summary(document),
        machines=machines_table(document),
        verdict_note=verdict_note,
        outcome_legend=OUTCOME_LEGEND,
        claims=[claim_detail(v, _several_backends(found), document.get("workloads", {})) for v in verdicts.measured(found)],
        environment=environment_tables(document),
        sections=[workload_section(name, document.get("workloads", {}).get(name, {}), rows, document)
                  for name, rows in by_workload(records).items()],
        overhead=overhead_table(records, document["environment"]),
        problems=problems(records),
        legend=LEGEND,
        native_and_containers=native_and_containers(document),
        implementations=implementations_table(found, document["environment"]),
    )


OUTCOME_LEGEND = (
    "Each claim is split into predicates, each a figure with its 95 % interval against a stated threshold: "
    "Supported when the whole interval is on the claim's side, Contradicted when it is wholly on the other side, "
    "Inconclusive when it straddles the threshold or the run did not measure it (the reason is given)."
)


def by_workload(records: list) -> dict:
    """Rows grouped by workload, in the order they were stored."""
    grouped = defaultdict(list)
    for record in records:
        grouped[record["workload"]].append(record)
    return grouped


# ------------------------------------------------------------------ answers and verdicts


def stored_or_current_verdicts(document: dict) -> tuple:
    """The run's stored verdicts, or (for an older file) verdicts judged now, with a note saying so."""
    if document.get("schema", 1) >= 2 and "verdicts" in document:
        return document["verdicts"], ""
    note = (f"This results file (schema {document.get('schema', 1)}) stores no verdicts: the verdicts below were "
            f"computed now, by the current rules, from its measurements.")
    return verdicts.judge_all(document), note


def _claims_in_reach(found: list, records: list) -> bool:
    """Whether any claim was judged, or any workload a claim is judged on ran at all."""
    ran = {r["workload"] for r in records}
    return bool(verdicts.measured(found)) or any(ran & set(names) for names in verdicts.CLAIM_WORKLOADS.values())


NO_CLAIMS = "This run measured none of the workloads the lab's claims are judged on, so it answers none of them."


def _several_backends(found: list) -> bool:
    return len({v["backend"] for v in verdicts.measured(found)}) > 1


def answers_table(found: list) -> Table:
    """One line per claim of CLAIMS.md, in its order: outcome and the deciding figure."""
    by_claim = defaultdict(list)
    for verdict in found:
        by_claim[verdict["claim_id"]].append(verdict)
    several = _several_backends(found)
    rows, anchors = [], []
    for claim_id, claim in verdicts.CLAIMS.items():
        mine = by_claim.get(claim_id, [])
        if not verdicts.measured(mine):
            reasons = [v["note"] for v in mine if not v.get("runtime")] or [v["note"] for v in mine]
            rows.append([claim_id, claim, "not measured in this run", reasons[0].split(": ", 1)[-1] if reasons else "—"])
            anchors.append("")
        for verdict in mine:
            where = (f" [{verdict['backend']}]" if several else "") + on_runtime(verdict)
            if verdict["outcome"] != verdicts.NOT_MEASURED:
                rows.append([claim_id + where, claim, verdict["outcome"], key_figure(verdict) or "—"])
                anchors.append(_anchor(verdict, several))
            elif verdict.get("runtime"):  # a further version that skipped the claim's programs: "not judged on pypy: why"
                rows.append([claim_id + where, claim, "not judged", verdict["note"]])
                anchors.append("")
    return Table(["claim", "", "outcome", "key figure (95 % interval, n)"], rows, MEMORY_IN_VERDICTS, anchors=anchors)


def implementations_table(found: list, environment: dict) -> Table | None:
    """The claims judged again on further implementations or versions, one column each, beside the
    first runtimes' column: each cell the outcome alone. The key figures stay in the answers' rows:
    they are not one quantity across a row (C11's on pypy is Python's, on bun Node's). None when no
    claim was judged again."""
    shown = shown_verdicts(found)
    runtimes = list(dict.fromkeys(v["runtime"] for v in shown if v.get("runtime")))
    if not runtimes:
        return None
    several = _several_backends(found)
    cells: dict = {}  # (claim number, backend) -> {runtime: outcome}
    for verdict in shown:
        outcome = verdict["outcome"] if verdict["outcome"] != verdicts.NOT_MEASURED else "not judged"
        cells.setdefault((int(verdict["claim_id"][1:]), verdict["backend"]), {})[verdict.get("runtime", "")] = outcome
    rows = [[f"C{number}" + (f" [{backend}]" if several else ""), *[by.get(r, "—") for r in ["", *runtimes]]]
            for (number, backend), by in sorted(cells.items(), key=lambda item: item[0][0]) if len(by) > 1]
    if not rows:
        return None
    again = {language for language, tags in (environment.get("runtime_versions") or {}).items() if len(tags) > 1}
    first = ", ".join(f"{language} {info.get('tag') or info.get('version')}"
                      for language, info in (environment.get("runtimes") or {}).items() if language in again)
    caption = (f"The outcome of each claim judged again on a further runtime of one of its languages, side by side; "
               f"the first column is judged on the first runtimes ({first or 'the first of each language'}), each other "
               f"column on that runtime with the other languages' first. —: not judged again there (not one of the "
               f"claim's languages, or that runtime's rows entered none of its figures). The key figures are in the "
               f"answers above, each one that column's runtime entered, so not one quantity across a row.")
    return Table(["claim", f"first ({first})" if first else "first", *runtimes], rows, caption)


def _anchor(verdict: dict, several: bool) -> str:
    runtime = verdict.get("runtime", "").replace(".", "")
    return verdict["claim_id"].lower() + (f"-{verdict['backend']}" if several else "") + (f"-{runtime}" if runtime else "")


def shown_verdicts(found: list[dict]) -> list[dict]:
    """The verdicts the answers show: every answer, and each "not judged on <runtime>: <reason>" record
    (a claim judged again on a further runtime that it is not about, or whose programs that runtime
    skipped); not the records of claims no row of the run could judge."""
    return [v for v in found if v["outcome"] != verdicts.NOT_MEASURED or v.get("runtime")]


def on_runtime(verdict: dict) -> str:
    """`` on python3.13t`` for a claim judged again on a further version of a language."""
    return f" on {verdict['runtime']}" if verdict.get("runtime") else ""


def key_figure(verdict: dict) -> str:
    """The first predicate that decided the outcome: its figure, or why it has none.

    A claim judged again on a further version (``C4 on bun``) shows a figure that version's rows
    entered (``runtime_predicates``), not one repeating the first version's: the first of them that
    decided the outcome, else the first of them, saying its own outcome."""
    predicates = verdict["predicates"]
    own = runtime_predicates(verdict)
    if own is not None:
        predicates = [predicates[i] for i in own]
        if not predicates:
            return f"none of its figures involves {verdict['runtime']}"
    deciding = [p for p in predicates if p["outcome"] == verdict["outcome"]] or predicates
    if not deciding:
        return ""
    chosen = deciding[0]
    apart = f"; this predicate {chosen['outcome']}" if own is not None and chosen["outcome"] != verdict["outcome"] else ""
    if chosen.get("figure"):
        return f"{chosen['figure']['label']}: {figure_text(chosen['figure'])}{apart}"
    return f"{chosen['statement']}: {chosen.get('reason') or 'not measured'}{apart}"


def runtime_predicates(verdict: dict) -> list | None:
    """The indices of the predicates a further version's rows entered, or None when every predicate
    counts: a first version's verdict, or one stored before verdicts named them."""
    own = verdict.get("runtime_predicates")
    if not verdict.get("runtime") or not isinstance(own, list):
        return None
    count = len(verdict["predicates"])
    return [i for i in own if isinstance(i, int) and 0 <= i < count]


def figure_text(figure: dict) -> str:
    """A stored figure as ``1.9× (1.6–2.2), n=5 vs 5, significant``."""
    return verdicts.Figure(**figure).text()


def claim_detail(verdict: dict, several: bool, infos: dict | None = None) -> ClaimDetail:
    """A verdict's predicates with their thresholds, figures and outcomes, and its workloads' first plots."""
    rows = [[p["statement"], p["threshold"], figure_text(p["figure"]) if p.get("figure") else "—",
             p["outcome"] + (f": {p['reason']}" if p.get("reason") else "")] for p in verdict["predicates"]]
    where = (f" [{verdict['backend']}]" if several else "") + on_runtime(verdict)
    return ClaimDetail(
        anchor=_anchor(verdict, several),
        heading=f"{verdict['claim_id']}{where}: {verdict['claim']}",
        outcome=verdict["outcome"],
        source=", ".join(verdict["workloads"]),
        note=verdict.get("note", ""),
        table=Table(["predicate", "threshold", "figure (95 % interval, n)", "outcome"], rows),
        plots=[plots_for(name, (infos or {})[name])[0] for name in verdict["workloads"] if name in (infos or {})],
    )


# ------------------------------------------------------------------ summary and environment


def run_summary(document: dict) -> str:
    """One paragraph: machine, runtimes, backend, profile, runs, and rows ok, failed or noisy."""
    options, env = document.get("options", {}), document["environment"]
    counts: defaultdict[str, int] = defaultdict(int)
    for record in document["measurements"]:
        counts[record["status"]] += 1
    ok = [r for r in document["measurements"] if r["status"] == Status.OK]
    infos = document.get("workloads", {})
    noisy = sum(1 for r in ok if key_is_noisy(r, infos.get(r["workload"], {})))
    cells = sum(len(noisy_fields(r)) for r in ok)
    runs = [run_count(r) for r in ok]
    extra = sum(1 for r in ok if options.get("min_runs") and run_count(r) > options["min_runs"])
    spread = f"n = {min(runs)}–{max(runs)} runs per row" if runs else "no rows measured"
    if options.get("min_runs") and options.get("max_runs") != options.get("min_runs"):
        spread += f", {extra} rows needed more than the minimum"
    if claim_runs(document):
        spread += f"; {claim_runs_text(document)}"
    runtimes = ", ".join(f"{lang} {info.get('version')}" + _others(env, lang) for lang, info in env.get("runtimes", {}).items())
    status = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    every_run = [run for r in document["measurements"] for run in r.get("runs") or []]
    disturbed = sum(1 for run in every_run if run.get("disturbed"))  # kept, but out of the figures and run again
    finished = document.get("finished") or "not finished (interrupted or still running)"
    commit = env.get("lab_commit", "unknown") + (" with uncommitted changes" if env.get("lab_tree_dirty") else "")
    only_swarm = all(model.backend(r).startswith("swarm@") for r in document["measurements"])
    return (
        ("Harness on swarm manager " if only_swarm else "")
        + f"{env.get('host')}: {env.get('cpu_model')}, {env.get('cores_available')} of {env.get('cores_logical')} cores, "
        f"{env.get('memory_total_bytes', 0) / 2**30:.1f} GiB; {runtimes}. {backends_text(env)}. "
        f"Profile {options.get('profile', '?')}, {runs_policy(options)} after {options.get('warmup', '?')} warm-up of each program, "
        f"languages interleaved in a shuffled order ({spread}). Rows: {status}; {noisy} of {len(ok)} ok rows have a "
        f"noisy key figure, {cells} timing and memory cells flagged ~ in all; {disturbed} of {len(every_run)} runs disturbed "
        f"(others used > ¼ core). Lab commit {commit}; started "
        f"{document.get('started')}, finished {finished}."
    )


def claim_runs(document: dict) -> dict:
    """Runs taken for an undecided claim (a run's ``for_claim``), counted per claim, in claim order."""
    counts: defaultdict[str, int] = defaultdict(int)
    for record in document["measurements"]:
        for run in record.get("runs") or []:
            if run.get("for_claim"):
                counts[run["for_claim"]] += 1
    return dict(sorted(counts.items(), key=lambda item: int(item[0][1:]) if item[0][1:].isdigit() else 0))


def claim_runs_text(document: dict) -> str:
    """``42 runs went to undecided claims (C5 24, C8 18)``, or "" when none did."""
    counts = claim_runs(document)
    if not counts:
        return ""
    each = ", ".join(f"{claim} {count}" for claim, count in counts.items())
    return f"{sum(counts.values())} runs went to undecided claims ({each})"


def _others(env: dict, language: str) -> str:
    """`` (judged; also 3.13, 3.13t)`` for a language run on several versions."""
    tags = list((env.get("runtime_versions") or {}).get(language, {}))
    return f" (judged; also {', '.join(tags[1:])})" if len(tags) > 1 else ""


def runs_policy(options: dict) -> str:
    """How many runs each row got, in words."""
    if "min_runs" not in options:  # schema 1: a fixed count
        return f"{options.get('runs', '?')} measured runs"
    if options["min_runs"] == options["max_runs"]:
        return f"{options['min_runs']} measured runs"
    budget = f" and {options['run_budget_s']:.0f} s in all" if options.get("run_budget_s") else ""
    return (f"{options['min_runs']} to {options['max_runs']} measured runs (more while the key figure's 95 % "
            f"interval was wider than ±{options['target_ci']:.0%}, up to {options['row_budget_s']:.0f} s a row{budget})")


def backends_text(env: dict) -> str:
    """``Backend native, peak memory from cgroup-v1``, naming each backend of the run (a swarm
    machine with what it is)."""
    backends = env.get("backends") or {env.get("backend", "?"): env}
    parts = [f"{name}, peak memory from {info.get('memory_method', '?')}" if "@" not in name else
             f"swarm machine {machines.name(name)} ({machines.facts(env, name)})"
             for name, info in backends.items() if name != "swarm" or len(backends) == 1]
    return ("Backend " if len(parts) == 1 else "Backends ") + "; ".join(parts)


def machines_table(document: dict) -> Table | None:
    """Each swarm machine's key ratios side by side, every one computed within its machine."""
    places = machines.places(document["measurements"])
    if len(places) < 2:
        return None
    found = machines.ratios(document)
    rows = [[r["workload"], params_text(r["params"]), f"{r['pair']} {r['figure']}",
             *[(r["machines"][m].text() if r["machines"][m] else "not measured") for m in places]] for r in found]
    env = document["environment"]
    caption = ("Each ratio is between two programs on one machine, never across machines: ratio of geometric means "
               "of the workload's key figure, its 95 % Welch interval on logs, and whether it differs from 1. "
               "A language is its workload's first program. Machines: "
               + "; ".join(f"{machines.name(m)} = {machines.facts(env, m)}" for m in places) + ".")
    warnings = machines.version_warnings(env, places)
    if warnings:
        caption += " Warning: " + "; ".join(warnings) + "."
    return Table(["workload", "params", "ratio", *[f"on {machines.name(m)}" for m in places]], rows, caption)


def environment_tables(document: dict) -> list:
    """The machine, its limits and load, then the runtimes and their memory settings."""
    env = document["environment"]
    host = env.get("engine_host") or {}
    machine = [
        ["host", str(env.get("host")) + (f" (a container on {host.get('name')})" if host.get("name") and env.get("in_container") else "")],
        ["CPU", f"{env.get('cpu_model')} ({env.get('cores_available')} of {env.get('cores_logical')} cores available)"],
        ["memory", f"{env.get('memory_total_bytes', 0) / 2**30:.1f} GiB" + _swap(env)],
        ["OS, kernel", f"{env.get('os')}, {env.get('kernel')}"],
        ["lab commit", f"{env.get('lab_commit')}" + (" (uncommitted changes)" if env.get("lab_tree_dirty") else "")],
    ]
    for key, label in (("cpu_governor", "CPU governor"), ("smt", "SMT"), ("load_before", "load average before"),
                       ("load_after", "load average after"), ("harness_cgroup_limits", "harness's cgroup limits"),
                       ("thread_limits", "thread limits")):
        if env.get(key) not in (None, "", {}):
            machine.append([label, _plain(env[key])])
    if host:
        machine.append(["engine host", _plain(host)])
    versions = env.get("runtime_versions") or {}
    rows = []
    for lang, info in env.get("runtimes", {}).items():
        if lang not in versions:
            rows.append([lang, info.get("version"), runtime_settings(lang, info), info.get("executable")])
            continue
        for number, (tag, each) in enumerate(versions[lang].items()):
            judged = " (judged by the verdicts)" if number == 0 else ""
            rows.append([f"{lang}{tag}{judged}", each.get("version"), runtime_settings(lang, each), each.get("executable")])
    rows += [[lang, "missing", why, ""] for lang, why in env.get("runtimes_missing", {}).items()]
    docker = (env.get("backends") or {}).get("docker")
    if docker and env.get("backend") != "docker":  # the images' runtimes too, when both backends ran
        rows += [[f"{lang} [docker]", info.get("version"), runtime_settings(lang, info), info.get("image", {}).get("tag")]
                 for lang, info in docker.get("runtimes", {}).items()]
        images = docker.get("version_images") or {}
        rows += [[f"{name} [docker]", info.get("version"), runtime_settings(_language_of(name), info),
                  images.get(name, {}).get("tag")] for name, info in (docker.get("version_runtimes") or {}).items()]
    return [Table(["", ""], machine), Table(["runtime", "version", "memory settings", "executable"], rows)]


def _language_of(name: str) -> str:
    """``python`` of ``python3.13t``, ``java`` of ``java21``."""
    found = re.match(r"[a-z]+", name)
    return found.group() if found else name


def _swap(env: dict) -> str:
    swap = env.get("swap_total_bytes")
    return "" if swap is None else f", swap {swap / 2**30:.1f} GiB"


def _plain(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return " ".join(_plain(v) for v in value)
    return "unlimited" if value is None else str(value)


def runtime_settings(language: str, info: dict) -> str:
    """The memory settings a runtime ran with: heap limits, collector, GIL."""
    if language == "java":
        return f"default max heap {info.get('max_heap_bytes', 0) / MIB:.0f} MiB, {info.get('collector')} GC"
    if language == "node":
        return f"default heap limit {info.get('heap_limit_bytes', 0) / MIB:.0f} MiB"
    if language == "python":
        return f"{info.get('implementation')}, gc thresholds {info.get('gc_thresholds')}, GIL {'on' if info.get('gil') else 'off'}"
    return ""


# ------------------------------------------------------------------ workload sections


# Which memory figure the verdicts use, and why (see docs/methodology.md, "Peak memory, carefully").
MEMORY_IN_VERDICTS = ("Memory in the verdicts is each row's headline peak, the figure a user reproduces by hand: "
                      "GNU time's %M for one process, the summed proportional set size for a tree (shared pages "
                      "once). C1's bytes per item and C9's memory per task are growth between two sizes, so the "
                      "runtime's fixed start-up memory cancels. Runs made before the headline peak existed use the "
                      "cgroup peak.")


@dataclass(frozen=True)
class Column:
    """A table column: a run field or a program metric, shown in one unit."""

    header: str
    name: str
    unit: str  # "ms", "s", "MiB", "count", "rate", "B", "percent", "us-as-ms", "s-as-us", "plain"
    metric: bool = False


COMPACT = {
    "memory": [Column("warm ms", "work_warm_s", "ms"), Column("peak MiB", "peak_memory_bytes", "MiB"),
               Column("cgroup peak MiB", "cgroup_peak_bytes", "MiB"), Column("RSS peak MiB", "peak_rss_bytes", "MiB")],
    "threading": [Column("warm ms", "work_warm_s", "ms"), Column("cold ms", "work_cold_s", "ms"), Column("CPU s", "cpu_s", "s"),
                  Column("peak MiB", "peak_memory_bytes", "MiB"), Column("cgroup peak MiB", "cgroup_peak_bytes", "MiB"),
                  Column("threads", "threads_peak", "count")],
    "async": [Column("wall s", "wall_s", "s"), Column("warm ms", "work_warm_s", "ms"), Column("peak MiB", "peak_memory_bytes", "MiB"),
              Column("cgroup peak MiB", "cgroup_peak_bytes", "MiB"), Column("threads", "threads_peak", "count")],
    "server": [Column("req/s", "requests_per_s", "rate"), Column("p50 ms", "latency_p50_us", "us-as-ms"),
               Column("p99 ms", "latency_p99_us", "us-as-ms"), Column("CPU µs/request", "cpu_s_per_request", "s-as-us"),
               Column("open-loop p99 ms at 50 %", "open_p99_at_50_us", "us-as-ms"),
               Column("open-loop p99 ms at 80 %", "open_p99_at_80_us", "us-as-ms"), Column("server CPU s", "cpu_s", "s"),
               Column("CPUs busy", "server_cpus", "plain"),
               Column("cgroup peak MiB", "cgroup_peak_bytes", "MiB"), Column("threads", "threads_peak", "count"),
               Column("generator CPU %", "generator_cpu_util", "percent")],
}
ALL_FIELDS = [Column(name, name, "plain") for name in SUMMARY_FIELDS]


def metric_column(name: str) -> Column:
    """A program metric in the unit its name implies."""
    if name == "bytes_per_object" or name.endswith("_per_object_bytes"):
        return Column(name.replace("_", " ") + " B", name, "B", True)
    if name.endswith("_bytes"):
        return Column(name[: -len("_bytes")].replace("_", " ") + " MiB", name, "MiB", True)
    if name.endswith("_s"):
        return Column(name[: -len("_s")].replace("_", " ") + " ms", name, "ms", True)
    return Column(name.replace("_", " "), name, "plain", True)


def workload_section(name: str, info: dict, records: list, document: dict) -> Section:
    """A workload's question, claim, sweep tables, per-case tables and plots."""
    notes, tables = [], []
    kind = info.get("kind", "batch")
    plots = plots_for(name, info)
    if info.get("scaling"):
        tables.append(scaling_table(records, info["scaling"]))
    if info.get("slope"):
        tables.append(slope_table(records, info["slope"]))
    if kind == "server":
        notes.append(server_note(records))
    columns = COMPACT["server" if kind == "server" else info.get("family", "memory") if info.get("family") in COMPACT else "memory"]
    columns = _with_data(columns, records, whole_run=kind != "server") + [metric_column(m) for m in info.get("report_metrics", [])]
    metrics = sorted({m for r in records for m in ((r.get("summary") or {}).get("metrics") or {})})
    varying, fixed = split_params(records)
    ordered = [r for members in cases(records).values() for r in members]
    caption = f"Parameters: {params_text(fixed) or '(none)'}" + (f"; each row's own: {', '.join(varying)}" if varying else "")
    tables.append(case_table(ordered, columns, caption, varying))
    tables.append(case_table(ordered, ALL_FIELDS + [metric_column(m) for m in metrics], "", varying,
                             collapsed=f"every figure of {name}"))
    return Section(name, info.get("family", ""), info.get("question", ""), verdicts.claim_text(info.get("claim", "")), notes, tables, plots)


WHOLE_RUN = [Column("wall s", "wall_s", "s"), Column("CPU s", "cpu_s", "s")]


def _with_data(columns: list, records: list, whole_run: bool = True) -> list:
    """The columns some row has a figure for; wall and CPU time first when no program timed its own
    work (command programs that do not print the lab's JSON line) and ``whole_run`` allows it."""
    def present(column):
        return any(((r.get("summary") or {}).get(column.name) or {}).get("median") is not None for r in records)

    kept = [c for c in columns if present(c)]
    if whole_run and not any(c.name in ("work_warm_s", "work_cold_s") for c in kept):
        kept = [c for c in WHOLE_RUN if c not in kept and present(c)] + kept
    return kept or columns


def split_params(records: list) -> tuple:
    """The parameter names whose values differ between rows, and the values shared by all."""
    values = defaultdict(set)
    for record in records:
        for key, value in record["params"].items():
            values[key].add(value)
    names = list(dict.fromkeys(key for record in records for key in record["params"]))
    varying = [key for key in names if len(values[key]) > 1 or any(key not in r["params"] for r in records)]
    fixed = {key: next(iter(values[key])) for key in names if key not in varying}
    return varying, fixed


def plots_for(name: str, info: dict) -> list:
    """The plots a workload gets, by what it sweeps and what kind it is (plots.write_all draws them)."""
    found = []
    if info.get("scaling"):
        found.append(Plot(f"{name}-speedup", f"speedup of {name} against {info['scaling']}, with the ideal line"))
    if info.get("slope"):
        found.append(Plot(f"{name}-memory", f"peak memory of {name} against {info['slope']}"))
    if info.get("kind") == "server":
        found.append(Plot(f"{name}-throughput", f"requests/s of {name} against connections; hollow: generator-bound"))
        found.append(Plot(f"{name}-latency", f"latency percentiles of {name} at the most connections"))
    if not found:
        found.append(Plot(f"{name}-bars", f"the key figure of every program of {name}, with its interval"))
    return found


def cases(records: list) -> dict:
    """Rows grouped by their parameters, as text."""
    grouped = defaultdict(list)
    for record in records:
        grouped[params_text(record["params"])].append(record)
    return grouped


def case_table(records: list, columns: list, caption: str, varying=(), collapsed: str = "") -> Table:
    """One row per program and parameter set; columns no row fills are left out."""
    rows = []
    for record in records:
        summary = record.get("summary") or {}
        status = LOUD.get(record["status"], record["status"]) + (" (generator-bound)" if figures.generator_bound(record) else "")
        cells = [cell(_source(summary, column), column) for column in columns]
        own = " ".join(f"{key}={record['params'][key]}" for key in varying if key in record["params"])
        rows.append([row_label(record), own, status, _runs_text(record), *cells, record.get("checksum") or ""])
    headers = ["program", "params", "status", "n", *[c.header for c in columns], "checksum"]
    keep = [i for i in range(len(headers)) if i in (0, 2, 3) or any(row[i] for row in rows)]
    return Table([headers[i] for i in keep], [[row[i] for i in keep] for row in rows], caption, collapsed)


def _source(summary: dict, column: Column):
    return ((summary.get("metrics") or {}) if column.metric else summary).get(column.name)


def run_count(record: dict) -> int:
    """How many measured runs a row has (from its runs, else its summary)."""
    runs = record.get("runs")
    if runs:
        return len(runs)
    summary = (record.get("summary") or {}).get("wall_s") or {}
    return summary.get("n", 0)


def _runs_text(record: dict) -> str:
    """``5 (range)`` or ``8 (95% CI)``: how many runs, and what the ± of the row's cells is."""
    runs = run_count(record)
    if not runs:
        return ""
    summary = (record.get("summary") or {}).get("wall_s") or {}
    kind = summary.get("interval") or ("95% CI" if runs >= stats.MIN_N_FOR_CI else "range")
    return f"{runs} ({kind})" if runs > 1 else "1"


SCALE = {"ms": 1e3, "s": 1.0, "MiB": 1 / MIB, "us-as-ms": 1e-3, "s-as-us": 1e6, "percent": 100.0, "B": 1.0, "rate": 1.0, "plain": 1.0}


def cell(summary: dict | None, column: Column) -> str:
    """``median ±h%`` (h: the wider side of its interval) and ``~`` when a timing or memory figure is noisy.

    Counts (threads, GC runs, objects) are whole numbers with no ±.
    """
    if not summary:
        return ""
    middle = summary["median"]
    if column.unit == "count" or column.name in COUNT_FIELDS or (summary.get("integer") and column.unit == "plain"):
        return f"{middle:,.0f}"
    text = stats.fmt_number(middle * SCALE.get(column.unit, 1.0))
    half = stats.relative_half_width(summary)
    if half is not None and half >= 0.0005:
        text += f" ±{half:.0%}" if half >= 0.01 else f" ±{half:.1%}"
    return text + (" ~" if stats.is_noisy(column.name, summary) else "")


def scaling_table(records: list, param: str) -> Table:
    """Speedup with its interval, efficiency and CPU use for each program of a scaling sweep."""
    rows = [
        [r["program"], r["params"], str(r[param]), str(r["n"]), _ms(r["time_s"]), speedup_text(r), _percent(r["efficiency"]),
         _percent(r["cpu_utilisation"]), _mib(r["memory_bytes"])]
        for r in figures.scaling(records, param)
    ]
    caption = (f"Speedup is the same program's time at {param}=1 over its time here (warm iterations where the "
               f"program repeats its work): a ratio of geometric means with the 95 % interval of Welch's t-test on the "
               f"logs, and whether it differs significantly from 1. Efficiency is speedup / {param}; CPU use is CPU "
               f"seconds per wall second (100 % = one core busy).")
    table = Table(["program", "other params", param, "n", "time ms", "speedup (95 % CI)", "efficiency", "CPU use",
                   "peak MiB"], rows, caption)
    return _drop_empty(table)


def speedup_text(row: dict) -> str:
    """``1.91× (1.65–2.22), significant``, or ``1 (base)`` for the row at 1 worker."""
    found = row.get("speedup_comparison")
    if not found:
        return ""
    if found["ratio"] == 1 and found["low"] == found["high"]:
        return "1 (base)"
    return stats.Comparison(**found).text()


def slope_table(records: list, param: str) -> Table:
    """Memory per unit of a sweep: the least-squares slope, with a bootstrap interval."""
    rows = [
        [r["program"], r["params"], f"{r['from']:,}–{r['to']:,}", str(r["n"]), _mib(r["memory_first_bytes"]),
         _mib(r["memory_last_bytes"]), per_unit_text(r)]
        for r in figures.slope(records, param)
    ]
    caption = (f"Memory per {param}: the least-squares slope of peak memory (the headline peak where measured, else the cgroup's, else RSS) over the "
               f"{param} sweep, so the runtime's fixed start-up memory drops out; its interval is a percentile bootstrap "
               f"with each row's runs resampled.")
    return _drop_empty(Table(["program", "other params", param, "n", "peak MiB first", "peak MiB last",
                              f"KiB per {param} (95 % CI)"], rows, caption))


def per_unit_text(row: dict) -> str:
    """``44.1 (43.0–45.2)`` KiB per unit."""
    value = row["bytes_per_unit"]
    if value is None:
        return ""
    text = stats.fmt_number(value / 1024)
    if row.get("bytes_per_unit_low") is not None:
        text += f" ({stats.fmt_number(row['bytes_per_unit_low'] / 1024)}–{stats.fmt_number(row['bytes_per_unit_high'] / 1024)})"
    return text


def _drop_empty(table: Table) -> Table:
    keep = [i for i in range(len(table.headers)) if any(row[i] for row in table.rows)]
    return Table([table.headers[i] for i in keep], [[row[i] for i in keep] for row in table.rows], table.caption,
                 table.collapsed, table.anchors)


def _ms(seconds) -> str:
    return "" if seconds is None else stats.fmt_number(seconds * 1e3)


def _mib(value) -> str:
    return "" if not value else stats.fmt_number(value / MIB)


def _percent(value) -> str:
    return "" if value is None else f"{value:.0%}"


def server_note(records: list) -> str:
    """How servers were loaded and what generator-bound means."""
    generators = sorted({run["load"]["generator"] for r in records for run in r.get("runs", []) if run.get("load")})
    uncalibrated = sorted({f"{figures.label(r)} {params_text(r['params'])}" for r in records
                           for run in r.get("runs", []) if run.get("load") and run["load"].get("ceiling_rps") is None})
    return (
        f"Servers are measured over the load window only (server pinned to its own CPUs, the generator to the "
        f"others); load from {', '.join(generators) or 'the lab generator'}. A server serves on one core (one "
        f"thread or event loop does the serving) or on every core it is given (thread pools, carrier threads, "
        f"worker processes), as its label says; CPUs busy is its CPU time per second of the load window. "
        f"generator-bound marks a row whose "
        f"rate came within 1/1.5 of the generator's own ceiling against a minimal C server, or whose generator "
        f"used over 90 % of its CPU: there the server may be faster than the figure shows, and its rate ranks nothing. "
        f"CPU µs/request is the server's CPU over the window per request answered in it: what a request costs "
        f"the server, whoever set the rate, so it still ranks generator-bound rows."
        + (" wrk checks no response bodies: its rows' answers are unchecked under load (only the probe was checked)."
           if "wrk" in generators else "")
        + (f" The ceiling could not be calibrated for {len(uncalibrated)} rows ({'; '.join(uncalibrated[:4])}"
           f"{'; …' if len(uncalibrated) > 4 else ''}): there only the generator's CPU decides generator-bound."
           if uncalibrated else "")
    )


# ------------------------------------------------------------------ native and containers, container overhead, problems


def native_and_containers(document: dict) -> list:
    """For a run on both backends: the claims whose key figure differs beyond its intervals between
    them, and the runtime settings that differ (``analyse.backends``). A Table without rows is a
    sentence alone. Empty unless a claim was judged on both."""
    found = backends.compare(document)
    if found is None:
        return []
    settings = Table(["setting", "native", "containers"], [[s.name, s.native, s.docker] for s in found.settings],
                     "The runtime settings that differ between the backends, from the run's environment:")
    decided = "; ".join(f"{name} is {native} natively and {docker} in containers" for name, (native, docker)
                        in found.alike_but_decided_apart().items())
    decided = f" Within overlapping intervals, {decided}." if decided else ""
    if not found.apart:
        lead = Table([], [], f"Every claim judged on both backends ({', '.join(found.alike)}) has a key figure whose "
                             f"95 % intervals overlap between the two.{decided}")
        return [lead, settings] if found.settings else [lead]
    rows = [[a.claim_id + (f" on {a.runtime}" if a.runtime else ""), a.native["label"],
             f"{_figure_only(a.native)}: {a.outcomes[0]}", f"{_figure_only(a.docker)}: {a.outcomes[1]}",
             ", ".join(s.name for s in a.settings) or "none recorded"] for a in found.apart]
    alike = f" The other claims judged on both ({', '.join(found.alike)}) agree within their intervals." if found.alike else ""
    lead = Table(["claim", "key figure", "native", "containers", "settings that differ"], rows,
                 "Claims whose key figure (the one that decided the native outcome) differs between the backends beyond "
                 "its 95 % intervals (they do not overlap), with the runtime settings of the claim's languages and of the "
                 f"run that differ between the two: any of them can move the figure.{alike}{decided}")
    return [lead, settings] if found.settings else [lead]


def _figure_only(figure: dict) -> str:
    """``15.7× (13.7–18.1), n=3 vs 3``: the significance is left out (it compares programs, not backends)."""
    return figure_text({**figure, "significant": None})


def overhead_table(records: list, environment: dict) -> Table | None:
    """Container/native ratios of medians for rows measured on both backends, on the same runtime
    version in both places (a version difference is not a container's cost)."""
    same, differing = figures.versions_alike(environment)
    pairs = figures.overhead(records)
    if not pairs:
        return None

    def alike(pair) -> bool:  # a mounted runtime, an image of the same release, or one binary
        return bool(pair["runtime"]) or pair["language"] in same or pair["language"] not in catalogue.LANGUAGES

    left_out = {pair["language"] for pair in pairs if not alike(pair)}
    rows = [[r["workload"], r["program"], r["params"]] + [_ratio(r[f]) for f in figures.OVERHEAD_FIELDS]
            for r in pairs if alike(r)]
    caption = ("The same program and parameters in a container, over natively: medians' ratios (1.00 = no difference), "
               "only where both ran the same runtime version: a chosen version (python3.13t/…) runs in its version's "
               "image, which holds this machine's runtime; an untagged row compares the image's runtime with this "
               "machine's when their releases match; a built program is the same binary.")
    gaps = [text for text in differing if text.split()[0] in left_out]
    if gaps:
        caption += (" Left out, as their versions differ: " + "; ".join(gaps) + ". To compare them, choose the version "
                    "explicitly (--python 3.13 or --java 21 after `runtimes install`): it then runs on both sides.")
    return Table(["workload", "program", "params", *figures.OVERHEAD_FIELDS.values()], rows, caption)


def _ratio(value) -> str:
    return "" if value is None else f"{value:.2f}"


def problems(records: list) -> list:
    """Every failed, mismatched or skipped row, with its reason and the tail of its stderr."""
    found = []
    for record in records:
        if record["status"] == Status.OK:
            if _gil_came_back(record):
                found.append({"status": "GIL ON", "row": model.row_name(record), "stderr": "",
                              "reason": "a free-threaded Python ran this row with the GIL enabled (an imported "
                                        "extension re-enabled it): its figures are not the free-threaded build's"})
            continue
        tail = (record.get("stderr_tail") or "").strip().splitlines()[-8:] if record["status"] != Status.SKIPPED else []
        found.append({"status": LOUD.get(record["status"], record["status"]), "row": model.row_name(record),
                      "reason": record.get("reason", ""),
                      "stderr": "\n".join(tail)})
    return found


def _gil_came_back(record: dict) -> bool:
    """A row on a free-threaded Python (tag 3.13t) whose program found the GIL enabled at its end."""
    came_back = any((run.get("metrics") or {}).get("gil_enabled") is True for run in record.get("runs", []))
    return model.runtime(record).endswith("t") and came_back


# ------------------------------------------------------------------ noise


def key_is_noisy(record: dict, info: dict) -> bool:
    """Whether the row's key figure (time, memory or rate, as the catalogue says) is noisy."""
    summary = record.get("summary") or {}
    for name in KEY_FIELDS[figures.key_figure(info)]:
        if summary.get(name):
            return stats.is_noisy(name, summary[name])
    return False


def noisy_fields(record: dict) -> list:
    """The timing and memory fields of a row whose interval is wider than their threshold."""
    summary = record.get("summary") or {}
    return [name for name in stats.FIELD_KINDS if stats.is_noisy(name, summary.get(name))]


LEGEND = (
    "Each cell is the median over the measured runs (one value per process run: the warm iterations inside a "
    "process are first reduced to their median, since they are not independent). ±h% is the wider side of its "
    "interval relative to the median: the distribution-free 95 % confidence interval of the median (order "
    "statistics, binomial, interpolated) when the row has 6 or more runs, and the plain range of its runs below "
    "that, as the n column says. ~ marks a timing figure whose interval is wider than "
    f"±{stats.NOISE_THRESHOLDS['time']:.0%} or a memory figure's wider than ±{stats.NOISE_THRESHOLDS['memory']:.0%}. "
    "Counts (threads, GC runs, objects) are whole numbers, with no ±. MiB are 2^20 bytes. wall is spawn to exit "
    "(startup included); cold is the program's own timing of its first measured iteration, warm the median of the "
    "later ones. CPU is user + system time of the whole process tree (wait4). RSS peak is the peak of the summed "
    "resident memory of every process in the tree, sampled every few milliseconds; cgroup peak is the kernel's exact "
    "peak of all memory charged to the run's own cgroup (anonymous and page cache, every descendant). The collapsed "
    "tables and results.csv have every figure. See the README for details."
)
