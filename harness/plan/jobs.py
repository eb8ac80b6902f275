"""Turn a catalogue and the user's choices into jobs: one program with one set of parameters.

Sweeps (a parameter whose value is a list) become one job per combination. Jobs with the same
workload and parameters form a *case*; every program in a case must print the same checksum.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

from harness.catalogue.loader import LANGUAGES, Catalogue, Program, Workload
from harness.errors import UsageError
from harness.plan import limits


@dataclass(frozen=True)
class Job:
    """One program of one workload, with concrete parameter values."""

    workload: Workload
    program: Program
    params: tuple  # sorted (name, value) pairs, hashable
    backend: str = "native"  # where it runs: "native", "docker", or a swarm machine ("swarm@A")

    @property
    def case(self) -> tuple:
        """The workload and parameters: jobs of one case must agree on the checksum."""
        return (self.workload.name, self.params)

    @property
    def key(self) -> tuple:
        """Identifies this job's measurement in a results file."""
        return (self.workload.name, self.program.language, self.program.runtime, self.program.variant, self.params,
                self.backend)

    def arguments(self) -> dict:
        """Every key=value argument the program gets: its parameters, then its fixed args."""
        return {**dict(self.params), **self.program.args}


def select(catalogue: Catalogue, only=(), family=None, languages=()) -> list[Workload]:
    """The workloads to run, filtered by name, family and language."""
    workloads = list(catalogue.workloads.values())
    for name in only:
        if name not in catalogue.workloads:
            raise UsageError(f"unknown workload '{name}'; `python -m harness list` shows them all")
    if family and family not in catalogue.families():
        raise UsageError(f"unknown family '{family}'; choose one of: {', '.join(catalogue.families())}")
    known = list(LANGUAGES) + [lang for w in workloads for lang in w.languages() if lang not in LANGUAGES]
    for language in languages:
        if language not in known:
            raise UsageError(f"unknown language '{language}'; choose from: {', '.join(dict.fromkeys(known))}")
    chosen = [
        w
        for w in workloads
        if (not only or w.name in only)
        and (not family or w.family == family)
        and (not languages or set(w.languages()) & set(languages))
    ]
    if not chosen:
        raise UsageError("no workload matches those --only/--family/--lang choices; see `python -m harness list`")
    return chosen


def jobs_for(workloads, profile: str, languages=(), overrides=None, backends=("native",), variants=(),
             runtime_tags=None) -> list[Job]:
    """Every job of ``workloads`` at ``profile``, with ``--param`` overrides applied, on each backend.

    The backend is not part of the case: a program must print the same checksum in a container.
    ``variants`` keeps only programs of those variant names (``--variant``). ``runtime_tags``
    (language -> tags, for a language with several runtimes chosen) runs each of its programs on
    each, on every backend (a container gets the same runtime mounted): the runtime is not part of
    the case either, so every version must agree on the checksum.
    """
    overrides = overrides or {}
    _check_overrides_apply(workloads, overrides)
    _check_variants_exist(workloads, variants)
    jobs = []
    for workload in workloads:
        for program in workload.programs:
            if languages and program.language not in languages:
                continue
            if variants and program.variant not in variants:
                continue
            if not variants and profile not in program.profiles:
                continue  # a --full-only variant (a JVM collector), unless named with --variant
            values = _resolve(workload, program, profile, overrides)
            names = sorted(values)
            for combination in itertools.product(*(values[name] for name in names)):
                for backend in backends:
                    for on_runtime in _on_each_runtime(program, (runtime_tags or {}).get(program.language)):
                        jobs.append(Job(workload, on_runtime, tuple(zip(names, combination)), backend))
    return jobs


def _on_each_runtime(program: Program, tags) -> list:
    """The program once per chosen runtime of its language (tagged), or once as it is."""
    if not tags or program.command:
        return [program]
    return [dataclasses.replace(program, runtime=tag) for tag in tags]


def _check_variants_exist(workloads, variants) -> None:
    known = {program.variant for workload in workloads for program in workload.programs}
    unknown = [v for v in variants if v not in known]
    if unknown:
        raise UsageError(f"--variant {', '.join(unknown)}: no chosen workload has that variant; known: {', '.join(sorted(known))}")


def check_thread_limits(jobs, budget=None) -> None:
    """Refuse, before anything starts, a job that would start more threads than the machine allows."""
    allowed, binding = budget or limits.thread_budget()
    for job in jobs:
        spawns = job.program.spawns
        if spawns and not job.program.not_applicable and dict(job.params).get(spawns, 0) > allowed:
            raise UsageError(
                f"{job.workload.name} {job.program.label}: {spawns}={dict(job.params)[spawns]} is more threads than this "
                f"machine allows ({allowed}, bound by {binding}); choose a smaller --param {spawns}=..."
            )


def parse_overrides(pairs) -> dict:
    """``["n=1000", "threads=1,2"]`` -> ``{"n": "1000", "threads": "1,2"}`` (typed later)."""
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name or not value:
            raise UsageError(f"--param expects NAME=VALUE (e.g. n=1000 or threads=1,2,4), not '{pair}'")
        overrides[name] = value
    return overrides


def _check_overrides_apply(workloads, overrides: dict):
    known = {name for w in workloads for name in _all_param_names(w)}
    for name in overrides:
        if name not in known:
            raise UsageError(f"--param {name}: no chosen workload has that parameter; known: {', '.join(sorted(known))}")


def _all_param_names(workload: Workload) -> set:
    names = set(workload.params)
    for program in workload.programs:
        names |= set(program.params)
    return names


def _resolve(workload: Workload, program: Program, profile: str, overrides: dict) -> dict:
    """Parameter name -> list of values (a one-element list unless it is a sweep)."""
    merged = {**workload.params, **program.params}
    values = {}
    for name, per_profile in merged.items():
        value = per_profile[profile]
        if name in overrides:
            value = _typed_override(name, overrides[name], value)
        values[name] = value if isinstance(value, list) else [value]
    return values


def _typed_override(name: str, raw: str, catalogue_value):
    """Convert an override to the type the catalogue gives the parameter."""
    example = catalogue_value[0] if isinstance(catalogue_value, list) else catalogue_value
    parts = raw.split(",")
    converted: list[str] | list[float]
    if isinstance(example, str):
        converted = parts
    else:
        converted = [_number(name, part) for part in parts]
    return converted if len(converted) > 1 else converted[0]


def _number(name: str, raw: str) -> float:
    value: float  # an int where the text is one (int is a float to mypy)
    try:
        value = int(raw)
    except ValueError:
        try:
            value = float(raw)
        except ValueError:
            raise UsageError(f"--param {name}={raw}: not a number; give a number such as {name}=1000") from None
    if not 0 < value < float("inf"):  # nan and inf too: a parameter is a finite size or count
        raise UsageError(f"--param {name}={raw}: must be above 0 and finite")
    if value > 2**63 - 1:  # Java reads a parameter as a long
        raise UsageError(f"--param {name}={raw}: must be at most 2**63 - 1, which every program can read")
    return value
