"""The claims as data: ``claims.toml`` read, checked against the catalogue, and asked questions.

Each claim is written once in ``claims.toml``: its text, the workloads and languages it is judged
from, its thresholds and the programs its predicates compare. The code that judges a claim (one
function per claim, in memory.py, threads.py, async_io.py and speed.py) takes its numbers and
programs from here, so renaming a variant in the catalogue is an error at load, naming the claim
and the program, instead of a predicate that silently becomes "not measured".
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.catalogue import loader as catalogue_loader
from harness.catalogue.loader import Catalogue, Workload
from harness.errors import CatalogueError

CLAIMS_FILE = Path(__file__).with_name("claims.toml")
CLAIM_KEYS = {"text", "judged_from", "predicates_text", "workloads", "languages", "thresholds", "predicates"}
# implementations = { python = ["CPython"] }: the claim is about these implementations of a language
# only (reference counting is CPython's), so it is not judged again on another (PyPy).
OPTIONAL_KEYS = {"implementations"}
PREDICATE_KEYS = {"name", "groups", "rows"}
REFERENCE = re.compile(r"(?P<workload>[\w.-]+):(?P<language>[\w.-]+)/(?P<variant>[\w.-]+)")
CLAIM_IDS = re.compile(r"C\d+(, C\d+)*")  # a catalogue workload's ``claim``: "C5" or "C5, C7, C8"
WHOLE_SWEEP = ("smallest", "largest")
CORES = "cores"
NEAREST_CORES = "nearest cores"

Scalar = int | float | str
Threshold = float | tuple[float, float] | Mapping[str, float]


@dataclass(frozen=True)
class ProgramRef:
    """One program a predicate needs: a workload's language and variant."""

    workload: str
    language: str
    variant: str

    @property
    def label(self) -> str:
        """``cpu_scaling:python/threads``, as claims.toml writes it."""
        return f"{self.workload}:{self.language}/{self.variant}"


@dataclass(frozen=True)
class RowNeed:
    """Rows a predicate needs: one program's rows at these parameter values (the rest any)."""

    claim_id: str
    predicate: str
    program: ProgramRef
    params: tuple[tuple[str, Scalar], ...]


@dataclass(frozen=True)
class PredicateSpec:
    """The programs of one or more predicates and the parameter values they are judged at.

    ``groups`` holds the programs compared together (a list against a generator, say), one group
    per predicate or pair of predicates; ``rows`` maps a parameter to its selectors (see claims.toml).
    """

    name: str
    groups: tuple[tuple[ProgramRef, ...], ...]
    rows: Mapping[str, tuple[Scalar, ...]]

    def literals(self, param: str) -> list[int | float]:
        """The plain numbers among ``param``'s selectors (the worker counts a speedup is taken at)."""
        return [s for s in self.rows.get(param, ()) if isinstance(s, int | float)]


@dataclass(frozen=True)
class Claim:
    """One claim: its text, where it is judged from, its thresholds and its predicates' programs."""

    id: str
    text: str
    judged_from: str
    predicates_text: str
    workloads: tuple[str, ...]
    languages: frozenset[str]
    thresholds: Mapping[str, Threshold]
    predicates: tuple[PredicateSpec, ...]
    implementations: Mapping[str, frozenset[str]] = field(default_factory=dict)  # by language; none: any

    def about(self, language: str, implementation: str) -> bool:
        """Whether the claim speaks of this implementation of ``language`` (PyPy is not CPython)."""
        allowed = self.implementations.get(language)
        return not allowed or not implementation or implementation in allowed  # unrecorded: the reference one

    def number(self, name: str) -> float:
        """A threshold that is one number."""
        value = self.thresholds[name]
        if not isinstance(value, int | float):
            raise CatalogueError(f"{CLAIMS_FILE}: claim {self.id}: threshold {name!r} is not a number")
        return value

    def band(self, name: str) -> tuple[float, float]:
        """A threshold that is a band, ``[low, high]``."""
        value = self.thresholds[name]
        if not isinstance(value, tuple):
            raise CatalogueError(f"{CLAIMS_FILE}: claim {self.id}: threshold {name!r} is not a [low, high] band")
        return value

    def per_language(self, name: str) -> Mapping[str, float]:
        """A threshold given per language, ``{ java = 0.001, node = 1e-6 }``."""
        value = self.thresholds[name]
        if not isinstance(value, Mapping):
            raise CatalogueError(f"{CLAIMS_FILE}: claim {self.id}: threshold {name!r} is not a table by language")
        return value

    def spec(self, name: str) -> PredicateSpec:
        """The predicate entry called ``name``."""
        for spec in self.predicates:
            if spec.name == name:
                return spec
        raise CatalogueError(f"{CLAIMS_FILE}: claim {self.id} has no predicates entry named {name!r}")

    def groups(self, name: str) -> tuple[tuple[ProgramRef, ...], ...]:
        """The program groups of the predicate entry called ``name``."""
        return self.spec(name).groups

    def programs(self) -> list[ProgramRef]:
        """Every program any of its predicates needs, once each, in file order."""
        return list(dict.fromkeys(ref for spec in self.predicates for group in spec.groups for ref in group))

    def needed_rows(self, catalogue: Catalogue, profile: str = "quick", cores: int = 1) -> list[RowNeed]:
        """The rows its predicates need under ``profile`` on ``cores`` cores, for claims-driven sampling.

        A selector is resolved against the catalogue's sweep of the group's first program: "largest"
        is the largest value the profile sweeps, "nearest cores" the swept value nearest the core count.
        """
        found: list[RowNeed] = []
        for spec in self.predicates:
            for group in spec.groups:
                # Programs compared together are judged at the same values: the first one's sweep sets them.
                swept = _program_params(catalogue.workloads[group[0].workload], group[0], profile)
                choices = [[(param, value) for value in self._resolve(selectors, swept[param], cores)]
                           for param, selectors in spec.rows.items()]
                found += [RowNeed(self.id, spec.name, ref, tuple(combination))
                          for ref in group for combination in itertools.product(*choices)]
        return list(dict.fromkeys(found))

    def _resolve(self, selectors: tuple[Scalar, ...], swept: list[Scalar], cores: int) -> list[Scalar]:
        """The parameter values that ``selectors`` stand for, given the sweep and the cores."""
        values: list[Scalar] = []
        numbers = sorted(v for v in swept if isinstance(v, int | float))
        for selector in selectors:
            if isinstance(selector, int | float):
                values.append(selector)
            elif selector == "smallest":
                values.append(numbers[0])
            elif selector == "largest":
                values.append(numbers[-1])
            elif selector == CORES:
                values.append(cores)
            elif selector == NEAREST_CORES:
                values.append(min((v for v in numbers if v > 1), key=lambda v: (abs(v - cores), v), default=2))
            elif "*" in selector:
                factor = selector.partition("*")[0]
                values.append(_whole(self.number(factor) if factor in self.thresholds else float(factor)) * cores)
            else:
                values.append(self.number(selector))  # a threshold's name: "scale"
        return list(dict.fromkeys(_whole(v) if isinstance(v, float) else v for v in values))


def _whole(value: float) -> int | float:
    """10000.0 as 10000, so a resolved value matches a row's integer parameter."""
    return int(value) if float(value).is_integer() else value


def _program_params(workload: Workload, ref: ProgramRef, profile: str) -> dict[str, list[Scalar]]:
    """Each parameter's values for one program under ``profile``: the workload's, the program's own over them."""
    program = next(p for p in workload.programs if (p.language, p.variant) == (ref.language, ref.variant))
    merged = {**workload.params, **program.params}
    return {name: list(value[profile]) if isinstance(value[profile], list) else [value[profile]] for name, value in merged.items()}


# ------------------------------------------------------------------ reading and checking


def read(path: Path = CLAIMS_FILE) -> tuple[Claim, ...]:
    """Parse a claims file and check its shape (not yet its programs: see ``check``)."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise CatalogueError(f"{path}: no such claims file") from None
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{path}: not valid TOML: {error}") from None
    claims = tuple(_claim(path, claim_id, body) for claim_id, body in data.items())
    expected = [f"C{i}" for i in range(1, len(claims) + 1)]
    if [c.id for c in claims] != expected:
        raise CatalogueError(f"{path}: the claims must be {', '.join(expected)} in order, each once; found {', '.join(c.id for c in claims)}")
    return claims


def check(claims: tuple[Claim, ...], catalogue: Catalogue, path: Path = CLAIMS_FILE) -> None:
    """Raise CatalogueError, naming the claim and the program, for a reference the catalogue lacks.

    Checked too: each program's workload is among its claim's workloads, each ``rows`` parameter
    is one of the program's, and each catalogue workload's ``claim`` names claims that exist.
    """
    for claim in claims:
        for workload in claim.workloads:
            if workload not in catalogue.workloads:
                raise CatalogueError(f"{path}: claim {claim.id} is judged from workload {workload!r}, "
                                     f"which {catalogue.path} does not have")
        for spec in claim.predicates:
            for ref in dict.fromkeys(ref for group in spec.groups for ref in group):
                _check_reference(claim, spec, ref, catalogue, path)
    ids = {claim.id for claim in claims}
    for workload in catalogue.workloads.values():
        unknown = [i for i in claim_ids(workload.claim) if i not in ids]
        if unknown:
            raise CatalogueError(f"{catalogue.path}: workload {workload.name!r} names claim {', '.join(unknown)}, which {path} does not have")


def _check_reference(claim: Claim, spec: PredicateSpec, ref: ProgramRef, catalogue: Catalogue, path: Path) -> None:
    where = f"{path}: claim {claim.id}, predicates {spec.name!r}"
    if ref.workload not in claim.workloads:
        raise CatalogueError(f"{where}: program {ref.label} is of a workload the claim does not list in its workloads")
    workload = catalogue.workloads[ref.workload]
    labels = [f"{p.language}/{p.variant}" for p in workload.programs]
    if f"{ref.language}/{ref.variant}" not in labels:
        raise CatalogueError(f"{where}: program {ref.label} is not in {catalogue.path} "
                             f"({ref.workload} has {', '.join(labels)})")
    program = next(p for p in workload.programs if (p.language, p.variant) == (ref.language, ref.variant))
    known = set(workload.params) | set(program.params)
    for param in spec.rows:
        if param not in known:
            raise CatalogueError(f"{where}: rows names parameter {param!r}, which {ref.label} does not have")


def _claim(path: Path, claim_id: str, body: Any) -> Claim:
    where = f"{path}: claim {claim_id}"
    if not isinstance(body, dict):
        raise CatalogueError(f"{where}: expected a table")
    unknown = set(body) - CLAIM_KEYS - OPTIONAL_KEYS
    missing = CLAIM_KEYS - set(body)
    if unknown or missing:
        raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
    for key in ("text", "judged_from", "predicates_text"):
        if not isinstance(body[key], str) or not body[key].strip():
            raise CatalogueError(f"{where}: {key} must be a text")
    workloads = _strings(where, "workloads", body["workloads"])
    languages = _strings(where, "languages", body["languages"])
    odd = [lang for lang in languages if lang not in catalogue_loader.LANGUAGES]
    if odd:
        raise CatalogueError(f"{where}: languages {odd} are not among {', '.join(catalogue_loader.LANGUAGES)}")
    thresholds = {name: _threshold(f"{where}: threshold {name!r}", value) for name, value in _table(where, "thresholds", body).items()}
    if not isinstance(body["predicates"], list) or not body["predicates"]:
        raise CatalogueError(f"{where}: needs at least one [[{claim_id}.predicates]] table")
    specs = tuple(_spec(where, thresholds, entry) for entry in body["predicates"])
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise CatalogueError(f"{where}: two predicates entries share a name: {names}")
    implementations = {language: frozenset(_strings(f"{where}: implementations", language, names))
                       for language, names in (_table(where, "implementations", body) if "implementations" in body else {}).items()}
    odd = [lang for lang in implementations if lang not in languages]
    if odd:
        raise CatalogueError(f"{where}: implementations name languages {odd} that the claim is not judged in")
    return Claim(claim_id, body["text"], body["judged_from"], body["predicates_text"], tuple(workloads),
                 frozenset(languages), thresholds, specs, implementations)


def _spec(where: str, thresholds: Mapping[str, Threshold], entry: Any) -> PredicateSpec:
    if not isinstance(entry, dict) or set(entry) != PREDICATE_KEYS or not isinstance(entry["name"], str):
        raise CatalogueError(f"{where}: each predicates entry needs exactly name, groups and rows")
    where = f"{where}, predicates {entry['name']!r}"
    groups = entry["groups"]
    if not isinstance(groups, list) or not groups or not all(isinstance(g, list) and g for g in groups):
        raise CatalogueError(f"{where}: groups must be a list of lists of \"workload:language/variant\"")
    rows = {param: _selectors(f"{where}: rows.{param}", thresholds, value) for param, value in _table(where, "rows", entry).items()}
    return PredicateSpec(entry["name"], tuple(tuple(_reference(where, r) for r in group) for group in groups), rows)


def _reference(where: str, text: Any) -> ProgramRef:
    found = REFERENCE.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise CatalogueError(f"{where}: {text!r} is not \"workload:language/variant\"")
    return ProgramRef(found["workload"], found["language"], found["variant"])


def _selectors(where: str, thresholds: Mapping[str, Threshold], value: Any) -> tuple[Scalar, ...]:
    selectors = value if isinstance(value, list) else [value]
    for selector in selectors:
        if isinstance(selector, bool) or not isinstance(selector, int | float | str):
            raise CatalogueError(f"{where}: {selector!r} is not a number or a selector")
        if isinstance(selector, str) and not _known_selector(selector, thresholds):
            raise CatalogueError(f"{where}: {selector!r} is not a number, \"smallest\", \"largest\", \"cores\", "
                                 "\"nearest cores\", a threshold's name or \"NAME*cores\"")
    return tuple(selectors)


def _known_selector(selector: str, thresholds: Mapping[str, Threshold]) -> bool:
    if selector in (*WHOLE_SWEEP, CORES, NEAREST_CORES) or isinstance(thresholds.get(selector), int | float):
        return True
    factor, _, rest = selector.partition("*")
    return rest == CORES and (isinstance(thresholds.get(factor), int | float) or factor.replace(".", "", 1).isdigit())


def _threshold(where: str, value: Any) -> Threshold:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value) and value[0] < value[1]:
        return (float(value[0]), float(value[1]))
    if isinstance(value, dict) and value and all(isinstance(v, int | float) for v in value.values()):
        return {str(k): float(v) for k, v in value.items()}
    raise CatalogueError(f"{where}: expected a number, a [low, high] band or a table of numbers by language")


def _table(where: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
    value = body[key]
    if not isinstance(value, dict):
        raise CatalogueError(f"{where}: {key} must be a table")
    return value


def _strings(where: str, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise CatalogueError(f"{where}: {key} must be a non-empty list of texts")
    return value


# ------------------------------------------------------------------ what the rest of the harness asks


@functools.cache
def load(path: Path = CLAIMS_FILE, catalogue_path: Path = catalogue_loader.BUILTIN) -> dict[str, Claim]:
    """The claims by id, in id order, checked against the catalogue (the lab's own by default)."""
    claims = read(path)
    check(claims, catalogue_loader.load(catalogue_path), path)
    return {claim.id: claim for claim in claims}


@functools.cache
def texts() -> dict[str, str]:
    """Each claim's text by id, in id order, from claims.toml (shape checked, programs not)."""
    return {claim.id: claim.text for claim in read()}


def claim_ids(value: str) -> list[str]:
    """The claim ids a catalogue workload's ``claim`` names ("C5, C7" → ["C5", "C7"]); none for other text."""
    return value.split(", ") if CLAIM_IDS.fullmatch(value.strip()) else []


def claim_text(value: str) -> str:
    """What a workload's ``claim`` says, for the report: "C5, C7" → C5's text "(C5; also C7)".

    Any other text (a results file written before claims.toml, a suite of one's own) is shown as it is.
    """
    ids = claim_ids(value)
    known = texts()
    if not ids or ids[0] not in known:
        return value
    also = f"; also {', '.join(ids[1:])}" if ids[1:] else ""
    return f"{known[ids[0]]} ({ids[0]}{also})"
