"""One row of a run in full: the exact command, its environment and every figure, to rerun by hand."""

from __future__ import annotations

import difflib
import shlex

from harness.errors import UsageError
from harness.report.tables import row_label
from harness.results import model
from harness.results.model import row_name

__all__ = ["describe", "find", "row_name"]  # row_name: the model's, which ``show RUN`` lists rows by


def find(document: dict, words: list) -> dict:
    """The one row whose name holds every word; UsageError naming close matches otherwise."""
    names = {row_name(r): r for r in document["measurements"]}
    wanted = [w for w in " ".join(words).split() if w]
    matches = [name for name in names if all(word in name.split() or word in name for word in wanted)]
    if len(matches) == 1:
        return names[matches[0]]
    if matches:
        listed = "; ".join(matches[:6]) + ("; …" if len(matches) > 6 else "")
        raise UsageError(f"{len(matches)} rows match '{' '.join(wanted)}': {listed}; add parameters to choose one")
    close = difflib.get_close_matches(" ".join(wanted), list(names), n=5, cutoff=0.3)
    hint = f"; close matches: {'; '.join(close)}" if close else "; `python -m harness show RUN` with no row lists them all"
    raise UsageError(f"no row matches '{' '.join(wanted)}'{hint}")


def describe(document: dict, record: dict) -> str:
    """The row's command, runtime, status and figures, as plain text."""
    env = document["environment"]
    runtime = (env.get("runtimes") or {}).get(record["language"], {})
    if model.runtime(record):  # one of several versions of its language
        runtime = (env.get("runtime_versions") or {}).get(record["language"], {}).get(model.runtime(record), runtime)
    lines = [
        f"row        {row_name(record)}",
        f"program    {row_label(record)}",
        f"status     {record['status']}" + (f": {record['reason']}" if record.get("reason") else ""),
        f"runs       {len(record.get('runs') or [])}" + (f" ({record['stop_reason']})" if record.get("stop_reason") else ""),
        f"runtime    {record['language']} {runtime.get('version', '?')} at {runtime.get('executable', '?')}",
        f"backend    {model.backend(record)} on {env.get('host')} ({env.get('cpu_model')}, {env.get('cores_available')} cores)",
        f"command    {shlex.join(record.get('command') or [])}",
        "figures    median [interval] over the runs:",
    ]
    summary = record.get("summary") or {}
    for name, found in list(summary.items()) + [(f"metric {k}", v) for k, v in (summary.get("metrics") or {}).items()]:
        if isinstance(found, dict) and "median" in found:
            lines.append(f"  {name:28} {found['median']:.6g} [{found['ci_low']:.6g} – {found['ci_high']:.6g}] "
                         f"{found.get('interval', '')}, n={found['n']}")
    if record.get("stderr_tail"):
        lines += ["stderr (tail):", record["stderr_tail"].rstrip()]
    return "\n".join(lines)
