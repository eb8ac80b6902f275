"""Native and containers side by side: the claims whose key figure differs beyond its intervals
between the two backends of a ``--backend native,docker`` run, and the runtime settings that differ.

A claim's key figure is the figure of the predicate that decided its native outcome (as the answers
table shows it); the same predicate is looked up in the containers' verdict. Two figures *differ
beyond their intervals* when their 95 % intervals do not overlap. The settings come from the results
document's environment: the native runtimes (``runtimes``, or ``runtime_versions`` for a chosen
version) against the images' (``backends.docker``), and the run-wide memory and CPU limits.
Everything is read from a results document alone, so the report can show it for any stored run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

NATIVE, DOCKER = "native", "docker"
NOT_MEASURED = "Not measured"
GIB, MIB = 2**30, 2**20

Document = dict[str, Any]
Info = dict[str, Any]


@dataclass(frozen=True)
class Setting:
    """A runtime setting that differs between the backends; ``language`` is "" for the whole run."""

    name: str
    native: str
    docker: str
    language: str = ""


@dataclass(frozen=True)
class Apart:
    """A claim (on one runtime) whose key figure's intervals do not overlap between the backends."""

    claim_id: str
    runtime: str  # "" for each language's one runtime, else the chosen version (``python3.13t``)
    statement: str  # the predicate the key figure belongs to
    native: dict[str, Any]  # the stored figures (label, estimate, low, high, n, unit, ...)
    docker: dict[str, Any]
    outcomes: tuple[str, str]  # native, docker
    settings: tuple[Setting, ...]  # those of its languages, then the run's


@dataclass(frozen=True)
class Comparison:
    """Every claim judged on both backends: those apart, those whose intervals overlap, and every
    setting that differs in the run."""

    apart: list[Apart]
    alike: list[str]  # ``C1``, ``C5 on python3.13t``: key figures whose intervals overlap
    settings: list[Setting]
    outcomes: dict[str, tuple[str, str]]  # every claim judged on both, by name: native, docker

    def alike_but_decided_apart(self) -> dict[str, tuple[str, str]]:
        """The claims whose intervals overlap but whose outcomes differ (a threshold between them)."""
        return {name: self.outcomes[name] for name in self.alike if len(set(self.outcomes[name])) > 1}


def compare(document: Document) -> Comparison | None:
    """The comparison of a run's native and containers verdicts; None unless some claim was judged on both."""
    pairs = _pairs(document.get("verdicts") or [])
    if not pairs:
        return None
    settings = differing_settings(document["environment"])
    apart, alike, outcomes = [], [], {}
    for (claim_id, runtime), (native, docker) in pairs.items():
        name = claim_id + (f" on {runtime}" if runtime else "")
        outcomes[name] = (str(native["outcome"]), str(docker["outcome"]))
        found = _key_figures(native, docker)
        if found is None or overlap(*found[1:]):
            alike.append(name)
            continue
        languages = _languages(document.get("measurements") or [], native["workloads"])
        relevant = tuple(s for s in settings if s.language in languages or not s.language)
        apart.append(Apart(claim_id, runtime, found[0], found[1], found[2], (native["outcome"], docker["outcome"]), relevant))
    return Comparison(apart, alike, settings, outcomes)


def overlap(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Whether two figures' intervals share a point (touching counts as overlapping); a stored high end
    of null is an open one (a one-sided ratio)."""
    first_high, second_high = (math.inf if f["high"] is None else f["high"] for f in (first, second))
    return bool(first["low"] <= second_high and second["low"] <= first_high)


def _pairs(verdicts: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]:
    """Each (claim, runtime) judged natively and in containers, in the claims' order."""
    judged = {(v["claim_id"], v.get("runtime", ""), v["backend"]): v for v in verdicts if v["outcome"] != NOT_MEASURED}
    return {(claim, runtime): (verdict, judged[claim, runtime, DOCKER])
            for (claim, runtime, backend), verdict in judged.items()
            if backend == NATIVE and (claim, runtime, DOCKER) in judged}


def _key_figures(native: dict[str, Any], docker: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """The statement of the native verdict's deciding predicate and its figure on each backend, or
    None when either has no figure for it."""
    predicates = native["predicates"]
    deciding = [p for p in predicates if p["outcome"] == native["outcome"]] or predicates
    theirs = {p["statement"]: p for p in docker["predicates"]}
    for predicate in deciding:
        if predicate.get("figure"):
            other = theirs.get(predicate["statement"], {}).get("figure")
            return (predicate["statement"], predicate["figure"], other) if other else None
    return None


def _languages(records: list[dict[str, Any]], workloads: list[str]) -> set[str]:
    """The languages of the rows of ``workloads``."""
    return {str(r["language"]) for r in records if r["workload"] in workloads}


# ------------------------------------------------------------------ settings


def differing_settings(environment: Info) -> list[Setting]:
    """The runtime settings that differ between the native runtimes and the images', per language
    (each chosen version too), then the run's memory and CPU limits."""
    docker = (environment.get("backends") or {}).get(DOCKER) or {}
    found = [s for language, native, image in _runtime_pairs(environment, docker) for s in _runtime_settings(language, native, image)]
    if (environment.get("memory_limit_bytes") or None) != ((docker.get("limits") or {}).get("memory_bytes") or None):
        found.append(Setting("memory limit", _native_memory(environment), _docker_memory(docker)))
    if _native_cpus(environment) != _docker_cpus(docker):
        found.append(Setting("CPUs", _native_cpus(environment), _docker_cpus(docker)))
    return found


def _runtime_pairs(environment: Info, docker: Info) -> Iterator[tuple[str, Info, Info]]:
    """(name, native info, image info) for each runtime found on both sides: ``python``, ``python3.13t``."""
    images = docker.get("runtimes") or {}
    for language, info in (environment.get("runtimes") or {}).items():
        if language in images:
            yield language, info, images[language]
    versions = docker.get("version_runtimes") or {}
    for language, tags in (environment.get("runtime_versions") or {}).items():
        for tag, info in tags.items():
            if f"{language}{tag}" in versions:
                yield f"{language}{tag}", info, versions[f"{language}{tag}"]


# What each runtime setting is called, and how its stored value reads.
_FIELDS: dict[str, Callable[[Any], str]] = {
    "version": str,
    "heap_args": lambda value: " ".join(value) if value else "none",
    "initial_heap_bytes": lambda value: f"{value / MIB:.0f} MiB",
    "max_heap_bytes": lambda value: f"{value / MIB:.0f} MiB",
    "heap_limit_bytes": lambda value: f"{value / MIB:.0f} MiB",
    "collector": str,
    "gc_thresholds": lambda value: "/".join(map(str, value)),
    "gil": lambda value: "on" if value else "off",
    "implementation": str,
}
_NAMES = {"version": "version", "heap_args": "heap arguments", "initial_heap_bytes": "initial heap",
          "max_heap_bytes": "max heap", "heap_limit_bytes": "heap limit", "collector": "collector",
          "gc_thresholds": "gc thresholds", "gil": "GIL", "implementation": "implementation"}


def _runtime_settings(name: str, native: Info, image: Info) -> list[Setting]:
    """The settings of one runtime that differ, then where each side's runtime comes from (always)."""
    language = _language_of(name)
    found = [Setting(f"{name} {_NAMES[field]}", show(native[field]), show(image[field]), language)
             for field, show in _FIELDS.items()
             if native.get(field) is not None and image.get(field) is not None and native[field] != image[field]]
    if found:  # the image names what ran, natively the executable
        built = image.get("image") or {}
        where = f"image {built['tag']}" + (f" ({built['id'].split(':')[-1][:12]})" if built.get("id") else "") \
            if built.get("tag") else str(image.get("executable", "?"))
        found.append(Setting(f"{name} runs from", str(native.get("executable", "?")), where, language))
    return found


def _language_of(name: str) -> str:
    """``python`` of ``python3.13t``."""
    found = re.match(r"[a-z]+", name)
    return found.group() if found else name


def _native_memory(environment: Info) -> str:
    limit = environment.get("memory_limit_bytes")
    if limit:
        return _size(limit)
    total = environment.get("memory_total_bytes")
    return "none" + (f" (the machine's {_size(total)})" if total else "")


def _docker_memory(docker: Info) -> str:
    limits = docker.get("limits") or {}
    if not limits.get("memory_bytes"):
        return "none"
    swap = limits.get("swap_bytes")
    return _size(limits["memory_bytes"]) + (", no swap" if swap == 0 else f", swap {_size(swap)}" if swap else "")


def _native_cpus(environment: Info) -> str:
    quota = str((environment.get("harness_cgroup_limits") or {}).get("cpu.cfs_quota_us", "-1"))
    limit = "no limit" if quota in ("-1", "max", "None") else f"cgroup quota {quota} µs"
    return f"{environment.get('cores_available', '?')} cores, {limit}"


def _docker_cpus(docker: Info) -> str:
    limits = docker.get("limits") or {}
    cpuset = limits.get("cpuset") or "all"
    cores = f"{(docker.get('engine_host') or {}).get('cpus', '?')} cores" if cpuset == "all" else f"cpuset {cpuset}"
    return f"{cores}, " + (f"limit {limits['cpus']} CPUs" if limits.get("cpus") else "no limit")


def _size(value: float) -> str:
    return f"{value / GIB:.1f} GiB" if value >= GIB else f"{value / MIB:.0f} MiB"

