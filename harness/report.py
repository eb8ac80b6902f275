"""Render a results document as Markdown tables and CSV; reads nothing but the JSON."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

from tabulate import tabulate

from harness import analysis, plots, stats, verdicts
from harness.measurement import KEY_FIELDS, SUMMARY_FIELDS

MB = 1e6
# Table columns: (header, summary field, scale, decimals).
COLUMNS = (
    ("wall s", "wall_s", 1, 3),
    ("work cold s", "work_cold_s", 1, 4),
    ("work warm s", "work_warm_s", 1, 4),
    ("ns/op", "ns_per_op", 1, 1),
    ("CPU s", "cpu_s", 1, 3),
    ("peak RSS MB", "peak_rss_bytes", MB, 1),
    ("cgroup peak MB", "cgroup_peak_bytes", MB, 1),
    ("threads", "threads_peak", 1, 0),
)
SERVER_COLUMNS = (
    ("req/s", "requests_per_s", 1, 0),
    ("p50 µs", "latency_p50_us", 1, 0),
    ("p90 µs", "latency_p90_us", 1, 0),
    ("p99 µs", "latency_p99_us", 1, 0),
    ("max µs", "latency_max_us", 1, 0),
    ("server CPU s", "cpu_s", 1, 2),
    ("peak RSS MB", "peak_rss_bytes", MB, 1),
    ("cgroup peak MB", "cgroup_peak_bytes", MB, 1),
    ("threads", "threads_peak", 1, 0),
    ("generator CPU %", "generator_cpu_util", 0.01, 0),
)
COUNT_FIELDS = {"threads_peak", "processes_peak", "ctx_voluntary", "ctx_involuntary"}
LOUD = {"failed": "**FAILED**", "timeout": "**TIMEOUT**", "oom": "**OOM**", "mismatch": "**MISMATCH**", "skipped": "skipped"}


def write_reports(document: dict, run_dir: Path) -> list[Path]:
    """Write results.md, results.csv and plots/ beside results.json; return the paths."""
    run_dir = Path(run_dir)
    markdown, table = run_dir / "results.md", run_dir / "results.csv"
    drawn = write_plots(document, run_dir / "plots")
    markdown.write_text(render_markdown(document))
    table.write_text(render_csv(document))
    return [markdown, table, *drawn]


def write_plots(document: dict, plot_dir: Path) -> list[Path]:
    """One PNG per swept workload: speedup for scaling sweeps, memory for slope sweeps."""
    drawn = []
    for name, records in _by_workload(document).items():
        info = document.get("workloads", {}).get(name, {})
        if info.get("scaling"):
            drawn.append(plots.speedup_plot(records, info["scaling"], name, plot_dir / f"{name}-speedup.png"))
        if info.get("slope"):
            drawn.append(plots.memory_plot(records, info["slope"], name, plot_dir / f"{name}-memory.png"))
        if info.get("kind") == "server":
            drawn.append(plots.field_plot(records, "connections", "requests_per_s", "requests/s", name, plot_dir / f"{name}-throughput.png"))
            drawn.append(plots.field_plot(records, "connections", "latency_p99_us", "p99 latency (µs)", name, plot_dir / f"{name}-p99.png"))
    return [path for path in drawn if path]


def render_markdown(document: dict, link_prefix: str = "") -> str:
    """The whole report: environment, then one section per family and workload.

    ``link_prefix`` is prepended to plot links, for a copy of the report kept elsewhere.
    """
    parts = [f"# Runtime Lab results: run {document['run_id']}\n", _overview(document), _claims(document),
             _environment(document)]
    family = None
    for name, records in _by_workload(document).items():
        info = document.get("workloads", {}).get(name, {})
        if records[0]["family"] != family:
            family = records[0]["family"]
            parts.append(f"## {family}\n")
        parts.append(_workload_section(name, info, records, link_prefix))
    parts.append(_overhead(document["measurements"]))
    parts.append(_failures(document["measurements"]))
    parts.append(_legend())
    return "\n".join(part for part in parts if part)


def _by_workload(document: dict) -> dict:
    grouped = defaultdict(list)
    for record in document["measurements"]:
        grouped[record["workload"]].append(record)
    return grouped


def _overview(document: dict) -> str:
    options, env = document.get("options", {}), document["environment"]
    counts = defaultdict(int)
    for record in document["measurements"]:
        counts[record["status"]] += 1
    status = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    finished = document.get("finished") or "not finished (interrupted or still running)"
    ok = [r for r in document["measurements"] if r["status"] == "ok"]
    infos = document.get("workloads", {})
    noisy = sum(1 for r in ok if _key_is_noisy(r, infos.get(r["workload"], {})))
    cells = sum(len(_noisy_fields(r)) for r in ok)
    runs = [len(r.get("runs") or []) for r in ok]
    spread = f"n = {min(runs)}–{max(runs)} runs per row" if runs else "no rows measured"
    return (
        f"Profile **{options.get('profile', '?')}**, {_runs_policy(options)} after "
        f"{options.get('warmup', '?')} warm-up, languages interleaved in a shuffled order ({spread}). "
        f"{_backends_text(env)}. "
        f"Started {document.get('started')}, finished {finished}. Measurements: {status}; "
        f"**{noisy} of {len(ok)} ok rows have a noisy key figure** (the figure that decides a row's runs: its "
        f"interval wider than ±{stats.NOISE_THRESHOLDS['time']:.0%} for time and throughput, "
        f"±{stats.NOISE_THRESHOLDS['memory']:.0%} for memory); {cells} timing and memory cells flagged `~` in all.\n"
    )


def _runs_policy(options: dict) -> str:
    if "min_runs" not in options:  # schema 1: a fixed count
        return f"{options.get('runs', '?')} measured runs"
    if options["min_runs"] == options["max_runs"]:
        return f"{options['min_runs']} measured runs"
    return (f"{options['min_runs']} to {options['max_runs']} measured runs (more while the key figure's 95 % "
            f"interval was wider than ±{options['target_ci']:.0%}, up to {options['row_budget_s']:.0f} s a row)")


def _key_is_noisy(record: dict, info: dict) -> bool:
    """Whether the row's key figure (time, memory or rate, as the catalogue says) is noisy."""
    summary = record.get("summary") or {}
    default = "rate" if info.get("kind") == "server" else "memory" if info.get("slope") else "time"
    for name in KEY_FIELDS[info.get("key_figure") or default]:
        if summary.get(name):
            return stats.is_noisy(name, summary[name])
    return False


def _noisy_fields(record: dict) -> list:
    summary = record.get("summary") or {}
    return [name for name in stats.FIELD_KINDS if stats.is_noisy(name, summary.get(name))]


def _stored_or_current_verdicts(document: dict) -> tuple:
    """The run's stored verdicts, or (for an older file) verdicts judged now, with a note saying so."""
    if document.get("schema", 1) >= 2 and "verdicts" in document:
        return document["verdicts"], ""
    note = (f"*This results file (schema {document.get('schema', 1)}) stores no verdicts: the verdicts below were "
            f"computed now, by the current rules, from its measurements.*\n")
    return verdicts.judge_all(document), note


def _claims(document: dict) -> str:
    """The answers: one line per claim of CLAIMS.md, then each verdict's predicates and thresholds."""
    found, note = _stored_or_current_verdicts(document)
    by_claim = defaultdict(list)
    for verdict in found:
        by_claim[verdict["claim_id"]].append(verdict)
    several = len({v["backend"] for v in found}) > 1
    rows = []
    for claim_id, claim in verdicts.CLAIMS.items():
        judged = by_claim.get(claim_id)
        if not judged:
            rows.append([claim_id, claim, "not measured in this run", ""])
            continue
        for verdict in judged:
            where = f" [{verdict['backend']}]" if several else ""
            rows.append([f"[{claim_id}](#{claim_id.lower()}){where}", claim, f"**{verdict['outcome']}**", _key_figure(verdict)])
    lines = ["## Answers\n", note,
             "Each claim is split into predicates, each a figure with its 95 % interval against a stated threshold: "
             "**Supported** when the whole interval is on the claim's side, **Contradicted** when it is wholly on the "
             "other side, **Inconclusive** when it straddles the threshold or the run did not measure it.\n",
             tabulate(rows, headers=["claim", "", "outcome", "key figure"], tablefmt="github", disable_numparse=True) + "\n"]
    for verdict in found:
        lines.append(_verdict_details(verdict, several))
    return "\n".join(line for line in lines if line)


def _key_figure(verdict: dict) -> str:
    """The figure of the predicate that decided the outcome (else the first with a figure)."""
    predicates = verdict["predicates"]
    deciding = [p for p in predicates if p["outcome"] == verdict["outcome"] and p.get("figure")]
    chosen = (deciding or [p for p in predicates if p.get("figure")] or [None])[0]
    return f"{chosen['figure']['label']}: {_figure_text(chosen['figure'])}" if chosen else ""


def _figure_text(figure: dict) -> str:
    return verdicts.Figure(**figure).text()


def _verdict_details(verdict: dict, several: bool) -> str:
    where = f" [{verdict['backend']}]" if several else ""
    rows = [[p["statement"], p["threshold"], _figure_text(p["figure"]) if p.get("figure") else "—",
             p["outcome"] + (f": {p['reason']}" if p.get("reason") else "")] for p in verdict["predicates"]]
    table = tabulate(rows, headers=["predicate", "threshold", "figure (95 % interval, n)", "outcome"], tablefmt="github",
                     disable_numparse=True)
    note = f"\n{verdict['note']}\n" if verdict.get("note") else ""
    return (f"<a id=\"{verdict['claim_id'].lower()}\"></a>\n### {verdict['claim_id']}{where}: {verdict['claim']} "
            f"— **{verdict['outcome']}**\n\nFrom {', '.join(verdict['workloads'])}.{note}\n{table}\n")


def _backends_text(env: dict) -> str:
    """"Backend **native**, peak memory from **cgroup-v1**", naming each backend of the run."""
    backends = env.get("backends") or {env.get("backend", "?"): env}
    parts = [f"**{name}**, peak memory from **{info.get('memory_method', '?')}**" for name, info in backends.items()]
    return ("Backend " if len(parts) == 1 else "Backends ") + "; ".join(parts)


def _environment(document: dict) -> str:
    env = document["environment"]
    machine = [
        ["host", env.get("host")],
        ["CPU", f"{env.get('cpu_model')} ({env.get('cores_available')} of {env.get('cores_logical')} cores available)"],
        ["memory", f"{env.get('memory_total_bytes', 0) / 2**30:.1f} GiB"],
        ["OS, kernel", f"{env.get('os')}, {env.get('kernel')}"],
        ["lab commit", env.get("lab_commit")],
    ]
    rows = [[lang, info.get("version"), _runtime_settings(lang, info), info.get("executable")] for lang, info in env.get("runtimes", {}).items()]
    rows += [[lang, "missing", why, ""] for lang, why in env.get("runtimes_missing", {}).items()]
    docker = (env.get("backends") or {}).get("docker")
    if docker and env.get("backend") != "docker":  # the images' runtimes too, when both backends ran
        rows += [[f"{lang} [docker]", info.get("version"), _runtime_settings(lang, info), info.get("image", {}).get("tag")]
                 for lang, info in docker.get("runtimes", {}).items()]
    return (
        "### Environment\n\n"
        + tabulate(machine, headers=["", ""], tablefmt="github")
        + "\n\n"
        + tabulate(rows, headers=["runtime", "version", "memory settings", "executable"], tablefmt="github")
        + "\n"
    )


def _runtime_settings(language: str, info: dict) -> str:
    if language == "java":
        return f"default max heap {info.get('max_heap_bytes', 0) / 2**20:.0f} MiB, {info.get('collector')} GC"
    if language == "node":
        return f"default heap limit {info.get('heap_limit_bytes', 0) / 2**20:.0f} MiB"
    if language == "python":
        return f"{info.get('implementation')}, gc thresholds {info.get('gc_thresholds')}, GIL {'on' if info.get('gil') else 'off'}"
    return ""


def _workload_section(name: str, info: dict, records: list, link_prefix: str) -> str:
    lines = [f"### {name}\n", f"*{info.get('question', '')}*\n"]
    if info.get("claim"):
        lines.append(f"Claim tested: \"{info['claim']}\" (the verdict is under Answers, above)\n")
    if info.get("scaling"):
        lines.append(_scaling_table(records, info["scaling"]))
        lines.append(f"![speedup of {name}]({link_prefix}plots/{name}-speedup.png)\n")
    if info.get("slope"):
        lines.append(_slope_table(records, info["slope"]))
        lines.append(f"![memory of {name}]({link_prefix}plots/{name}-memory.png)\n")
    if info.get("kind") == "server":
        lines.append(_server_note(records))
        lines.append(f"![requests/s of {name}]({link_prefix}plots/{name}-throughput.png) "
                     f"![p99 latency of {name}]({link_prefix}plots/{name}-p99.png)\n")
    cases = defaultdict(list)
    for record in records:
        cases[_params_text(record["params"])].append(record)
    metrics = info.get("report_metrics", [])
    columns = SERVER_COLUMNS if info.get("kind") == "server" else COLUMNS
    for params, members in cases.items():
        lines.append(f"Parameters: `{params or '(none)'}`\n")
        lines.append(_case_table(members, metrics, columns) + "\n")
    return "\n".join(lines)


def _scaling_table(records: list, param: str) -> str:
    rows = [
        [r["program"], r["params"], r[param], r["n"], _num(r["time_s"], 4), _speedup_text(r), _percent(r["efficiency"]),
         _percent(r["cpu_utilisation"]), _num(r["memory_bytes"] and r["memory_bytes"] / MB, 1)]
        for r in analysis.scaling(records, param)
    ]
    if not rows:
        return ""
    headers = ["program", "other params", param, "n", "time s", "speedup (95 % CI)", "efficiency", "CPU use", "peak MB"]
    title = (f"Scaling with {param}: speedup is the same variant's time at {param}=1 over its time here (warm "
             f"iterations where the program repeats its work), a ratio of geometric means with the 95 % interval of "
             f"Welch's t-test on the logs, and whether it differs significantly from 1; efficiency is speedup / "
             f"{param}; CPU use is CPU seconds per wall second (100 % = one core busy).\n")
    return title + "\n" + tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True) + "\n"


def _slope_table(records: list, param: str) -> str:
    rows = [
        [r["program"], r["params"], f"{r['from']:,}–{r['to']:,}", r["n"], _num(r["memory_first_bytes"] / MB, 1),
         _num(r["memory_last_bytes"] / MB, 1), _per_unit_text(r)]
        for r in analysis.slope(records, param)
    ]
    if not rows:
        return ""
    headers = ["program", "other params", param, "n", "peak MB first", "peak MB last", "KiB per unit (95 % CI)"]
    title = (f"Memory per {param}: the least-squares slope of peak memory (cgroup where measured, else RSS) "
             f"over the {param} sweep, so the runtime's fixed start-up memory drops out.\n")
    return title + "\n" + tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True) + "\n"


def _per_unit_text(row: dict) -> str:
    value = row["bytes_per_unit"]
    if value is None:
        return ""
    text = f"{value / 1024:,.2f}"
    if row.get("bytes_per_unit_low") is not None:
        text += f" ({row['bytes_per_unit_low'] / 1024:,.2f}–{row['bytes_per_unit_high'] / 1024:,.2f})"
    return text


def _speedup_text(row: dict) -> str:
    found = row.get("speedup_comparison")
    if not found:
        return ""
    if found["ratio"] == 1 and found["low"] == found["high"]:
        return "1 (base)"
    return stats.Comparison(**found).text()


def _num(value, decimals: int) -> str:
    return "" if value is None else f"{value:,.{decimals}f}"


def _percent(value) -> str:
    return "" if value is None else f"{value:.0%}"


def _server_note(records: list) -> str:
    generators = sorted({run["load"]["generator"] for r in records for run in r.get("runs", []) if run.get("load")})
    return (
        f"Servers are measured over the load window only (server pinned to its own CPUs, the generator to the "
        f"others); load from {', '.join(generators) or 'the lab generator'}. *generator-bound* marks a row whose "
        f"rate came within 1/{1.5} of the generator's own ceiling against a minimal C server, or whose generator "
        f"used over 90 % of its CPU: there the server may be faster than the figure shows.\n"
    )


def _generator_bound(record: dict) -> bool:
    return any((run.get("load") or {}).get("generator_saturated") for run in record.get("runs", []))


def _case_table(records: list, metrics: list, columns=COLUMNS) -> str:
    headers = ["program", "status", "n"] + [c[0] for c in columns] + [_metric_header(m) for m in metrics] + ["checksum"]
    rows = []
    for record in records:
        summary = record.get("summary") or {}
        status = LOUD.get(record["status"], record["status"]) + (" (generator-bound)" if _generator_bound(record) else "")
        row = [f"{analysis.label(record)}{_flags(record)}", status, _runs_text(record)]
        row += [_cell(summary.get(field), scale, decimals, field) for _, field, scale, decimals in columns]
        row += [_cell((summary.get("metrics") or {}).get(metric), *_metric_scale(metric)) for metric in metrics]
        row.append(record.get("checksum") or "")
        rows.append(row)
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)


def _metric_scale(metric: str) -> tuple:
    return (MB, 1) if metric.endswith("_bytes") and "per_" not in metric else (1, None)


def _metric_header(metric: str) -> str:
    return metric[: -len("_bytes")] + " MB" if _metric_scale(metric)[0] == MB else metric.replace("_", " ")


def _flags(record: dict) -> str:
    flags = " ".join(record.get("runtime_args") or [])
    return f" `{flags}`" if flags else ""


def _runs_text(record: dict) -> str:
    """``5 (range)`` or ``8 (95% CI)``: how many runs, and what the ± of the row's cells is."""
    runs = len(record.get("runs") or [])
    if not runs:
        return ""
    summary = (record.get("summary") or {}).get("wall_s") or {}
    kind = summary.get("interval") or ("95% CI" if runs >= stats.MIN_N_FOR_CI else "range")
    return f"{runs} ({kind})" if runs > 1 else "1"


def _cell(summary: dict | None, scale: float, decimals: int | None, field: str = "") -> str:
    """``median ±h%`` (h: the wider side of its interval), ``~`` when a timing or memory figure is noisy.

    Counts (threads, GC runs, objects) are shown as whole numbers with no ±.
    """
    if not summary:
        return ""
    middle = summary["median"]
    if summary.get("integer") or field in COUNT_FIELDS:
        return f"{middle:,.0f}"
    text = _format(decimals, middle / scale)(middle / scale)
    half = stats.relative_half_width(summary)
    if half is not None and half >= 0.0005:
        text += f" ±{half:.0%}" if half >= 0.01 else f" ±{half:.1%}"
    return text + (" ~" if stats.is_noisy(field, summary) else "")


def _format(decimals: int | None, example: float):
    if decimals is None:  # metrics: pick a precision that suits the magnitude
        magnitude = abs(example)
        decimals = 0 if magnitude >= 100 else 2 if magnitude >= 1 else 4
    return lambda value: f"{value:,.{decimals}f}"


def _params_text(params: dict) -> str:
    return " ".join(f"{key}={value}" for key, value in params.items())


def _overhead(records: list) -> str:
    rows = [
        [r["workload"], r["program"], r["params"]] + [_num(r[f], 2) for f in analysis.OVERHEAD_FIELDS]
        for r in analysis.overhead(records)
    ]
    if not rows:
        return ""
    headers = ["workload", "program", "params", *analysis.OVERHEAD_FIELDS.values()]
    return ("## Container overhead\n\nThe same program and parameters in a container, over natively: medians' "
            "ratios (1.00 = no difference). Runtime versions may differ between the images and this machine; "
            "the environment records both.\n\n" + tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True) + "\n")


def _failures(records: list) -> str:
    bad = [r for r in records if r["status"] not in ("ok", "skipped")]
    skipped = [r for r in records if r["status"] == "skipped"]
    if not bad and not skipped:
        return ""
    lines = ["## Problems\n"]
    for record in bad:
        lines.append(f"- **{record['status'].upper()}** {record['workload']} {analysis.label(record)} "
                     f"`{_params_text(record['params'])}`: {record['reason']}")
        tail = (record.get("stderr_tail") or "").strip().splitlines()[-8:]
        if tail:
            lines.append("\n  ```\n" + "\n".join(f"  {line}" for line in tail) + "\n  ```")
    for record in skipped:
        lines.append(f"- skipped {record['workload']} {analysis.label(record)} `{_params_text(record['params'])}`: {record['reason']}")
    return "\n".join(lines) + "\n"


def _legend() -> str:
    return (
        "## Reading the tables\n\n"
        "Each cell is the median over the measured runs (one value per process run: the warm iterations inside a "
        "process are first reduced to their median, since they are not independent). ±h% is the wider side of its "
        "interval relative to the median: the distribution-free 95 % confidence interval of the median (order "
        "statistics, binomial, interpolated) when the row has 6 or more runs, and the plain range of the runs below "
        "that, as the *n* column says. `~` marks a timing figure whose interval is wider than "
        f"±{stats.NOISE_THRESHOLDS['time']:.0%} or a memory figure's wider than ±{stats.NOISE_THRESHOLDS['memory']:.0%}. "
        "Counts (threads, GC runs, objects) are whole numbers, with no ±. "
        "*wall s* is spawn to exit (startup included); *work cold s* is the program's own timing of its "
        "first measured iteration, *work warm s* the median of the later ones; *ns/op* divides the warm (else "
        "cold) time by the operations the program reports. *CPU s* is user + system "
        "time of the whole process tree (wait4). *peak RSS MB* is the peak of the summed resident memory "
        "of every process in the tree, sampled every few milliseconds (never below the largest single "
        "process's ru_maxrss). *cgroup peak MB* is the kernel's exact peak of all memory charged to the "
        "run's own cgroup (anonymous and page cache, every descendant). See the README for details.\n"
    )


def render_csv(document: dict) -> str:
    """One row per measurement: identity, status, then median/CI/CV of every field and metric."""
    records = document["measurements"]
    metric_names = list(dict.fromkeys(m for r in records for m in ((r.get("summary") or {}).get("metrics") or {})))
    header = ["workload", "family", "language", "variant", "backend", "params", "runtime_args", "status", "reason", "checksum", "runs"]
    for field in SUMMARY_FIELDS:
        header += [f"{field}_median", f"{field}_ci_low", f"{field}_ci_high", f"{field}_cv"]
    header += [f"metric_{name}_median" for name in metric_names]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for record in records:
        summary = record.get("summary") or {}
        row = [record["workload"], record["family"], record["language"], record["variant"],
               record.get("backend", "native"), _params_text(record["params"]),
               " ".join(record.get("runtime_args") or []), record["status"], record["reason"], record.get("checksum") or "",
               len(record.get("runs", []))]
        for field in SUMMARY_FIELDS:
            s = summary.get(field) or {}
            row += [s.get("median", ""), s.get("ci_low", ""), s.get("ci_high", ""), s.get("cv", "")]
        metrics = summary.get("metrics") or {}
        row += [(metrics.get(name) or {}).get("median", "") for name in metric_names]
        writer.writerow(row)
    return out.getvalue()
