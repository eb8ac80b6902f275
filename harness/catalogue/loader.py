"""Load and validate a catalogue: the workloads, their parameters and their programs.

The lab's own catalogue is ``harness/catalogue/catalogue.toml``; ``--suite FILE`` loads a user's
own in the same format. Every error names the file, the workload and the key.
"""

from __future__ import annotations

import re
import shutil
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import CatalogueError

BUILTIN = Path(__file__).with_name("catalogue.toml")
LANGUAGES = ("python", "java", "node")
PROFILES = ("quick", "full")
KINDS = ("batch", "server", "client")
GENERATORS = ("echo", "http")
LOAD_PARAMS = ("connections", "duration_s")  # a server workload must have these params
SOURCE_SUFFIX = {"python": ".py", "java": ".java", "node": ".js"}

WORKLOAD_KEYS = {
    "family", "question", "claim", "kind", "params", "programs", "report_metrics", "timeout_s", "spawns", "scaling", "slope",
    "load", "fixture", "key_figure",
}
PROGRAM_KEYS = {"language", "variant", "source", "args", "runtime_args", "params", "spawns", "parallel", "not_applicable",
                "command", "build", "checksum", "cores", "image"}
PARALLEL = ("threads", "processes")
# A server's mode: whether it serves on one core (one thread or event loop does the serving) or on
# every core it is given (thread pools, carrier threads, worker processes). The report shows it.
CORES = ("one", "all")
# A command program (any executable, unchanged) is checked by one of these rules, or a regex.
CHECKSUM_RULES = ("stdout", "numbers", "none")
RUNTIME_PLACEHOLDERS = ("python", "java", "javac", "node")  # resolve to the chosen runtimes
BUILD_DIR = "build_dir"  # the placeholder of a command program's per-build cache folder
SAFE_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def is_safe_name(name) -> bool:
    """Whether a workload or variant name may name a file: letters, digits, '.', '-', '_', and not '.' or '..'."""
    return isinstance(name, str) and bool(SAFE_NAME.fullmatch(name)) and name not in (".", "..")
# The figure whose interval decides when a row has had enough runs: "time" (warm work, else cold
# work, else wall), "memory" (cgroup peak, else RSS) or "rate" (requests per second).
KEY_FIGURES = ("time", "memory", "rate")


@dataclass(frozen=True)
class Program:
    """One way to run a workload: a language, a named variant, a source file and its flags."""

    language: str
    variant: str
    source: Path  # absolute
    root: Path  # the language root the source lives under (module path / classpath)
    args: dict = field(default_factory=dict)  # fixed key=value arguments (mode=list)
    runtime_args: tuple = ()  # flags for the runtime itself (-Xmx256m, --expose-gc)
    params: dict = field(default_factory=dict)  # overrides of the workload's params
    spawns: str = ""  # the param counting the OS threads or processes it starts ("" for none)
    parallel: str = ""  # "threads" or "processes": must be seen running that many at once
    not_applicable: str = ""  # why this language has no honest equivalent (never run)
    cores: str = ""  # a server's mode, "one" or "all" (CORES); "" where it was not said
    runtime: str = ""  # the runtime's tag (3.13t, 21) when a run has several of this language
    # Command programs: an argv with {placeholders}, run unchanged from the suite's folder.
    command: tuple = ()
    build: tuple = ()  # an argv run once per source state before the first run
    checksum: str = ""  # "stdout", "numbers", "none" or "regex" (then ``pattern``)
    pattern: str = ""
    cwd: Path | None = None
    image: str = ""  # a command program's container image where its language has no lab image

    @property
    def label(self) -> str:
        """``language/variant``, as tables show it; ``java21/virtual`` among several Javas."""
        return f"{self.language}{self.runtime}/{self.variant}"


@dataclass(frozen=True)
class Workload:
    """A question, answered by running equivalent programs with the same parameters."""

    name: str
    family: str
    question: str
    kind: str
    params: dict  # name -> {"quick": value, "full": value}; a value may be a sweep list
    programs: tuple
    claim: str = ""
    report_metrics: tuple = ()
    timeout_s: float | None = None
    scaling: str = ""  # a swept param to report speedup and efficiency against (threads)
    slope: str = ""  # a swept param to report memory per unit of (count, tasks)
    generator: str = ""  # server workloads: the load generator's protocol, "echo" or "http"
    fixture: Path | None = None  # client workloads: the harness's server the clients talk to
    fixture_params: tuple = ()  # the params passed to that fixture server
    key_figure: str = "time"  # see KEY_FIGURES


    def languages(self) -> list[str]:
        """The languages this workload has programs in: the lab's three first, then any other in catalogue order."""
        found = dict.fromkeys(p.language for p in self.programs)
        return [lang for lang in LANGUAGES if lang in found] + [lang for lang in found if lang not in LANGUAGES]


@dataclass(frozen=True)
class Catalogue:
    """Every workload of one catalogue file, by name."""

    path: Path
    workloads: dict

    def families(self) -> list[str]:
        """Families in catalogue order."""
        return list(dict.fromkeys(w.family for w in self.workloads.values()))


def load(path: Path = BUILTIN) -> Catalogue:
    """Read and validate the catalogue at ``path``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise CatalogueError(f"{path}: no such catalogue file; check the --suite path") from None
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{path}: not valid TOML: {error}") from None
    return _catalogue(path.resolve(), data)


def _catalogue(path: Path, data: dict) -> Catalogue:
    where = _Where(path)
    unknown = set(data) - {"languages", "workloads"}
    if unknown:
        where.fail(f"unknown top-level key(s) {sorted(unknown)}; expected 'languages' and 'workloads'")
    roots = _language_roots(where, data.get("languages", {}))
    workloads = data.get("workloads")
    if not isinstance(workloads, dict) or not workloads:
        where.fail("no workloads; add at least one [workloads.NAME] table")
    parsed = {name: _workload(where.at(name), name, body, roots) for name, body in workloads.items()}
    return Catalogue(path, parsed)


class _Where:
    """Where in a catalogue an error is, so messages name the file, workload and key."""

    def __init__(self, path: Path, workload: str = "", key: str = ""):
        self.path, self.workload, self.key = path, workload, key

    def at(self, workload: str) -> _Where:
        return _Where(self.path, workload)

    def key_(self, key: str) -> _Where:
        return _Where(self.path, self.workload, f"{self.key}.{key}" if self.key else key)

    def fail(self, message: str):
        place = str(self.path)
        if self.workload:
            place += f": workload '{self.workload}'"
        if self.key:
            place += f": key '{self.key}'"
        raise CatalogueError(f"{place}: {message}")


def _language_roots(where: _Where, table: dict) -> dict:
    roots = {lang: where.path.parent for lang in LANGUAGES}
    for lang, body in table.items():
        here = where.key_(f"languages.{lang}")
        if lang not in LANGUAGES:
            here.fail(f"unknown language; expected one of {', '.join(LANGUAGES)}")
        if not isinstance(body, dict) or not isinstance(body.get("root"), str):
            here.fail("expected a table with root = \"DIR\"")
        roots[lang] = (where.path.parent / body["root"]).resolve()
    return roots


def _workload(where: _Where, name: str, body: dict, roots: dict) -> Workload:
    if not is_safe_name(name):
        where.fail("a workload name must be letters, digits, '.', '-' or '_' (it names files and report headings)")
    if not isinstance(body, dict):
        where.fail("expected a table")
    _check_keys(where, body, WORKLOAD_KEYS)
    for key in ("family", "question"):
        if not isinstance(body.get(key), str) or not body[key].strip():
            where.key_(key).fail("missing; give it a short text")
    kind = body.get("kind", "batch")
    if kind not in KINDS:
        where.key_("kind").fail(f"'{kind}' is not one of {', '.join(KINDS)}")
    params = {key: _param(where.key_(f"params.{key}"), value) for key, value in body.get("params", {}).items()}
    programs = body.get("programs")
    if not isinstance(programs, list) or not programs:
        where.fail("no programs; add at least one [[workloads.NAME.programs]] table")
    spawns = _param_name(where.key_("spawns"), body.get("spawns", ""), params)
    parsed = tuple(_program(where.key_(f"programs[{i}]"), p, roots, params, spawns, kind) for i, p in enumerate(programs))
    _check_unique_variants(where, parsed)
    return Workload(
        name=name,
        family=body["family"],
        question=body["question"],
        kind=kind,
        params=params,
        programs=parsed,
        claim=_text(where.key_("claim"), body.get("claim", "")),
        report_metrics=tuple(_strings(where.key_("report_metrics"), body.get("report_metrics", []))),
        timeout_s=_timeout(where.key_("timeout_s"), body.get("timeout_s")),
        scaling=_param_name(where.key_("scaling"), body.get("scaling", ""), params),
        slope=_param_name(where.key_("slope"), body.get("slope", ""), params),
        generator=_load(where.key_("load"), body.get("load"), kind, params),
        **_fixture(where.key_("fixture"), body.get("fixture"), kind, params),
        key_figure=_key_figure(where.key_("key_figure"), body, kind),
    )


def _key_figure(where: _Where, body: dict, kind: str) -> str:
    """The catalogue's ``key_figure``, else rate for a server, memory for a slope sweep, else time."""
    default = "rate" if kind == "server" else "memory" if body.get("slope") else "time"
    value = body.get("key_figure", default)
    if value not in KEY_FIGURES:
        where.fail(f"expected one of {', '.join(KEY_FIGURES)}, not {value!r}")
    return value


def _load(where: _Where, load, kind: str, params: dict) -> str:
    """A server workload's ``load = { generator = "http" }`` and the params it needs."""
    if kind != "server":
        if load is not None:
            where.fail("only a kind = \"server\" workload takes a load table")
        return ""
    if not isinstance(load, dict) or load.get("generator") not in GENERATORS or set(load) != {"generator"}:
        where.fail(f"a server workload needs load = {{ generator = \"{GENERATORS[0]}\" or \"{GENERATORS[1]}\" }}")
    missing = [name for name in LOAD_PARAMS if name not in params]
    if missing:
        where.fail(f"a server workload needs the params {', '.join(missing)}")
    return load["generator"]


def _fixture(where: _Where, fixture, kind: str, params: dict) -> dict:
    """A client workload's ``fixture = { server = "fixtures/x.py", params = ["delay_ms"] }``."""
    if kind != "client":
        if fixture is not None:
            where.fail("only a kind = \"client\" workload takes a fixture table")
        return {}
    if not isinstance(fixture, dict) or not isinstance(fixture.get("server"), str):
        where.fail("a client workload needs fixture = { server = \"PATH.py\", params = [...] }")
    server = (where.path.parent / fixture["server"]).resolve()
    if not server.is_file():
        where.key_("server").fail(f"{server} does not exist")
    names = _strings(where.key_("params"), fixture.get("params", []))
    for name in names:
        _param_name(where.key_("params"), name, params)
    return {"fixture": server, "fixture_params": tuple(names)}


def _program(where: _Where, body: dict, roots: dict, workload_params: dict, spawns: str, kind: str) -> Program:
    if not isinstance(body, dict):
        where.fail("expected a table")
    _check_keys(where, body, PROGRAM_KEYS)
    if "command" in body:
        return _command_program(where, body, workload_params, kind)
    for key in ("build", "checksum", "image"):
        if key in body:
            where.key_(key).fail("only a command program takes this; give command = [...] instead of source")
    language = body.get("language")
    if language not in LANGUAGES:
        where.key_("language").fail(f"'{language}' is not one of {', '.join(LANGUAGES)} (a command program may name any language)")
    variant = _variant(where, body)
    not_applicable = _text(where.key_("not_applicable"), body.get("not_applicable", ""))
    if not_applicable:
        source = roots[language]
    else:
        source = _source(where.key_("source"), body.get("source"), language, roots[language])
    args = body.get("args", {})
    if not isinstance(args, dict) or not all(_is_scalar(v) for v in args.values()):
        where.key_("args").fail("expected a table of key = number or text")
    params = {key: _param(where.key_(f"params.{key}"), value) for key, value in body.get("params", {}).items()}
    clash = set(args) & (set(workload_params) | set(params))
    if clash:
        where.key_("args").fail(f"{sorted(clash)} also set as params; set each argument in one place")
    all_params = {**workload_params, **params}
    parallel = body.get("parallel", "")
    if parallel and parallel not in PARALLEL:
        where.key_("parallel").fail(f"'{parallel}' is not one of {', '.join(PARALLEL)}")
    program_spawns = _param_name(where.key_("spawns"), body.get("spawns", spawns), all_params)
    if parallel and not program_spawns:
        where.key_("parallel").fail("needs spawns = \"PARAM\" naming the parameter that counts them")
    cores = body.get("cores", "")
    if cores and cores not in CORES:
        where.key_("cores").fail(f"'{cores}' is not one of {', '.join(CORES)}")
    return Program(
        language=language,
        variant=variant,
        source=source,
        root=roots[language],
        args=dict(args),
        runtime_args=tuple(_strings(where.key_("runtime_args"), body.get("runtime_args", []))),
        params=params,
        spawns=program_spawns,
        parallel=parallel,
        not_applicable=not_applicable,
        cores=cores,
    )


def _variant(where: _Where, body: dict) -> str:
    variant = body.get("variant", "default")
    if not isinstance(variant, str) or not variant.replace("_", "").replace("-", "").isalnum():
        where.key_("variant").fail("expected a short name of letters, digits, '-' or '_'")
    return variant


def _command_program(where: _Where, body: dict, workload_params: dict, kind: str) -> Program:
    """A program given as an argv, measured unchanged: ``command``, optional ``build`` and ``checksum``."""
    for key in ("source", "runtime_args", "not_applicable", "spawns", "parallel", "cores"):
        if key in body:
            where.key_(key).fail("a command program cannot take this: put what it would say in the command itself")
    if kind != "batch":
        where.key_("command").fail("command programs are batch programs; a server or client needs the lab's protocol")
    language = body.get("language")
    if not is_safe_name(language):
        where.key_("language").fail("expected a name of letters, digits, '.', '-' or '_' (python, go, rust, c, ...)")
    variant = _variant(where, body)
    args = body.get("args", {})
    if not isinstance(args, dict) or not all(_is_scalar(v) for v in args.values()):
        where.key_("args").fail("expected a table of key = number or text")
    params = {key: _param(where.key_(f"params.{key}"), value) for key, value in body.get("params", {}).items()}
    known = set(workload_params) | set(params) | set(args) | set(RUNTIME_PLACEHOLDERS) | {BUILD_DIR}
    command = _argv(where.key_("command"), body["command"], known)
    build = _argv(where.key_("build"), body["build"], set(RUNTIME_PLACEHOLDERS) | {BUILD_DIR}) if "build" in body else []
    folder = where.path.parent
    _check_executable(where.key_("command"), command[0], folder, built=bool(build))
    if build:
        _check_executable(where.key_("build"), build[0], folder, built=False)
    checksum, pattern = _checksum_rule(where.key_("checksum"), body.get("checksum", "stdout"))
    image = body.get("image", "")
    if not isinstance(image, str):
        where.key_("image").fail('expected an image name, e.g. image = "gcc:14" (an image the engine has)')
    return Program(language=language, variant=variant, source=folder, root=folder, args=dict(args), params=params,
                   command=tuple(command), build=tuple(build), checksum=checksum, pattern=pattern, cwd=folder,
                   image=image)


def placeholders(text: str) -> list:
    """The ``{names}`` in one argument (``{{`` is a literal brace)."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        raise ValueError(f"{text!r}: {error}") from None


def _argv(where: _Where, value, known: set) -> list:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        where.fail('expected a non-empty list of texts, e.g. ["{python}", "bt.py", "{n}"]')
    for argument in value:
        try:
            names = placeholders(argument)
        except ValueError as error:
            where.fail(f"bad placeholder in {error}")
        for name in names:
            if name not in known:
                where.fail(f"placeholder {{{name}}} names no parameter or runtime; known: {', '.join(sorted(known))}")
    return value


def _check_executable(where: _Where, first: str, folder: Path, built: bool) -> None:
    """The executable must exist now: a runtime, a file relative to the suite, or a name on PATH."""
    names = placeholders(first)
    if any(name in RUNTIME_PLACEHOLDERS for name in names):
        return
    if BUILD_DIR in names:
        if not built:
            where.fail(f"{first!r} is in {{{BUILD_DIR}}}, but the program has no build step to make it")
        return
    if names:
        where.fail(f"the executable {first!r} cannot be a parameter; name a program, a runtime or a file")
    if "/" in first:
        if not (folder / first).is_file():
            where.fail(f"executable {first!r} not found (relative to {folder})")
    elif shutil.which(first) is None:
        where.fail(f"executable {first!r} not found on PATH")


def _checksum_rule(where: _Where, value) -> tuple:
    if isinstance(value, dict):
        if set(value) != {"regex"} or not isinstance(value["regex"], str):
            where.fail('expected { regex = "..." }')
        try:
            compiled = re.compile(value["regex"])
        except re.error as error:
            where.fail(f"not a valid regular expression: {error}")
        if compiled.groups == 0:
            where.fail("the regex needs at least one (group): the groups it captures are what is compared")
        return "regex", value["regex"]
    if value not in CHECKSUM_RULES:
        where.fail(f"expected one of {', '.join(repr(r) for r in CHECKSUM_RULES)} or {{ regex = \"...\" }}")
    return value, ""


def _source(where: _Where, source, language: str, root: Path) -> Path:
    if not isinstance(source, str):
        where.fail(f"missing; give the program's path relative to {root}")
    path = (root / source).resolve()
    if path.suffix != SOURCE_SUFFIX[language]:
        where.fail(f"a {language} program must be a {SOURCE_SUFFIX[language]} file, not '{source}'")
    if not path.is_file():
        where.fail(f"{path} does not exist")
    return path


def _param(where: _Where, value) -> dict:
    """A parameter as {"quick": v, "full": v}; each v a scalar or a non-empty sweep list."""
    if isinstance(value, dict):
        if set(value) != set(PROFILES):
            where.fail("a per-profile value needs exactly the keys quick and full")
        return {profile: _param_value(where.key_(profile), value[profile]) for profile in PROFILES}
    checked = _param_value(where, value)
    return {profile: checked for profile in PROFILES}


def _param_value(where: _Where, value):
    values = value if isinstance(value, list) else [value]
    if not values or not all(_is_scalar(v) for v in values):
        where.fail("expected a number, a text, or a non-empty list of them (a sweep)")
    if any(not isinstance(v, str) and v <= 0 for v in values):
        where.fail("numbers must be above 0")
    return value


def _param_name(where: _Where, name, params: dict) -> str:
    if not isinstance(name, str) or (name and name not in params):
        where.fail(f"expected the name of one of this workload's params ({', '.join(params) or 'none'})")
    return name


def _is_scalar(value) -> bool:
    return isinstance(value, (int, float, str)) and not isinstance(value, bool)


def _check_keys(where: _Where, body: dict, allowed: set):
    unknown = set(body) - allowed
    if unknown:
        where.fail(f"unknown key(s) {sorted(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _check_unique_variants(where: _Where, programs: tuple):
    seen = set()
    for program in programs:
        if program.label in seen:
            where.fail(f"two programs are both {program.label}; give each a distinct variant")
        seen.add(program.label)


def _text(where: _Where, value) -> str:
    if not isinstance(value, str):
        where.fail("expected a text")
    return value


def _strings(where: _Where, value) -> list:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        where.fail("expected a list of texts")
    return value


def _timeout(where: _Where, value):
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        where.fail("expected a positive number of seconds")
    return float(value)
