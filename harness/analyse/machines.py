"""Machines side by side: each swarm machine's key ratios, computed within that machine only.

A swarm run's rows carry their machine in their backend (``swarm@A``). Nothing here divides a
figure of one machine by a figure of another: a ratio is between two languages on one machine,
and the machines' ratios are set next to each other for a reader to compare.
"""

from __future__ import annotations

import copy
from typing import Any

from harness.analyse import figures, stats
from harness.errors import UsageError
from harness.results import model
from harness.results.model import Record, Status

PAIRS = (("java", "python"), ("node", "python"), ("java", "node"))
FIGURE_WORDS = {"time": "time", "memory": "peak memory", "rate": "req/s"}


def places(records: list[Record]) -> list[str]:
    """The swarm machines of a run's rows, as backends (``swarm@A``), in the order they appear."""
    return list(dict.fromkeys(model.backend(r) for r in records if model.backend(r).startswith("swarm@")))


def name(backend: str) -> str:
    """``swarm@A`` -> ``A``."""
    return backend.partition("@")[2]


def ratios(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Per workload, case and language pair: each machine's ratio of the key figure (a Comparison or None).

    A language is represented by its workload's first program (the catalogue's first variant, on
    the first runtime version that ran it), the same one on every machine.
    """
    records: list[dict[str, Any]] = document["measurements"]
    found: list[dict[str, Any]] = []
    machines = places(records)
    by_workload: dict[str, list[dict[str, Any]]] = {}
    for record in records:  # once, not once per workload: a run may hold tens of thousands of rows
        by_workload.setdefault(record["workload"], []).append(record)
    for workload, info in (document.get("workloads") or {}).items():
        kind = figures.key_figure(info)
        cases: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for record in by_workload.get(workload, []):
            if model.backend(record) in machines:
                cases.setdefault(_params(record), []).append(record)
        for params, case in cases.items():
            for a, b in PAIRS:
                first_a, first_b = _headline(case, info, a), _headline(case, info, b)
                if not first_a or not first_b:
                    continue
                cells = {}
                for machine in machines:
                    row_a, row_b = _on(case, first_a, machine), _on(case, first_b, machine)
                    cells[machine] = (stats.compare(figures.samples(row_a, kind), figures.samples(row_b, kind))
                                      if row_a and row_b else None)
                if any(cells.values()):
                    found.append({"workload": workload, "params": dict(params), "figure": FIGURE_WORDS.get(kind, kind),
                                  "pair": f"{model.program_name(first_a)} / {model.program_name(first_b)}",
                                  "machines": cells})
    return found


def _params(record: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(record["params"].items())


def _headline(case: list[dict[str, Any]], info: dict[str, Any], language: str) -> dict[str, Any] | None:
    """A row of the language's first program that ran ok in this case (on the first runtime version
    that ran it): it stands for that program on every machine."""
    variants = (info.get("programs") or {}).get(language) or []
    ok = [r for r in case if r["language"] == language and r["status"] == Status.OK]
    for variant in variants:
        found = [r for r in ok if r["variant"] == variant]
        if found:
            return found[0]
    return None


def _on(case: list[dict[str, Any]], program: dict[str, Any], machine: str) -> dict[str, Any] | None:
    """The same program's ok row on ``machine``."""
    same = model.identity(program, with_backend=False)
    return next((r for r in case if model.backend(r) == machine and r["status"] == Status.OK
                 and model.identity(r, with_backend=False) == same), None)


def facts(environment: dict[str, Any], backend: str) -> str:
    """``vm: AMD EPYC, 2 cores, 23.5 GiB, kernel 6.1.0, cgroup v1, x86_64`` for one machine."""
    env = (environment.get("backends") or {}).get(backend) or {}
    hosts = ", ".join(dict.fromkeys(str(n.get("hostname")) for n in env.get("nodes", []))) or "?"
    memory = f"{env['memory_total_bytes'] / 2**30:.1f} GiB" if env.get("memory_total_bytes") else "? GiB"
    return (f"{hosts}: {env.get('cpu_model', '?')}, {env.get('cores_available', '?')} cores, {memory}, "
            f"kernel {env.get('kernel', '?')}, cgroup v{env.get('cgroup_version', '?')}, {env.get('architecture', '?')}")


def version_warnings(environment: dict[str, Any], machines: list[str]) -> list[str]:
    """One sentence per language whose runtime version differs between the machines."""
    warnings = []
    backends = environment.get("backends") or {}
    for language in ("python", "java", "node"):
        versions = {name(m): ((backends.get(m) or {}).get("runtimes") or {}).get(language, {}).get("version")
                    for m in machines}
        seen = {v for v in versions.values() if v}
        if len(seen) > 1:
            listed = ", ".join(f"{v} on {m}" for m, v in versions.items() if v)
            warnings.append(f"{language} differs between machines ({listed}): its ratios mix the machine with the version")
    return warnings


def view(document: dict[str, Any], machine: str) -> dict[str, Any]:
    """The document as if only ``machine`` had run: its rows (backend ``swarm``), its verdicts and
    its own environment, so that ``diff`` compares two machines of one run as it compares two runs."""
    backend = f"swarm@{machine}"
    known = places(document["measurements"])
    if backend not in known:
        listed = ", ".join(name(m) for m in known) or "none (not a swarm run)"
        raise UsageError(f"run {document['run_id']} has no machine {machine!r}; its machines: {listed}")
    found = copy.deepcopy(document)
    found["run_id"] = f"{document['run_id']}@{machine}"
    found["measurements"] = [{**r, "backend": "swarm"} for r in found["measurements"] if r.get("backend") == backend]
    if "verdicts" in found:
        found["verdicts"] = [{**v, "backend": "swarm"} for v in found["verdicts"] if v.get("backend") == backend]
    own = (found["environment"].get("backends") or {}).get(backend) or {}
    found["environment"] = {**found["environment"], **own, "backends": {"swarm": own}}
    return found
