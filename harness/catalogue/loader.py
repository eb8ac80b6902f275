"""Load and validate a catalogue: the workloads, their parameters and their programs.

The lab's own catalogue is ``harness/catalogue/catalogue.toml``; ``--suite FILE`` loads a user's
own in the same format. Every error names the file, the workload and the key.
"""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from harness.catalogue.names import NAME_RULE, SAFE_NAME, is_safe_name  # noqa: F401  (re-exported)
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
                "command", "build", "checksum", "cores", "image", "profiles", "requires"}
PARALLEL = ("threads", "processes")
# A server's mode: whether it serves on one core (one thread or event loop does the serving) or on
# every core it is given (thread pools, carrier threads, worker processes). The report shows it.
CORES = ("one", "all")
# A command program (any executable, unchanged) is checked by one of these rules, or a regex.
CHECKSUM_RULES = ("stdout", "numbers", "none")
RUNTIME_PLACEHOLDERS = ("python", "java", "javac", "node")  # resolve to the chosen runtimes
BUILD_DIR = "build_dir"  # the placeholder of a command program's per-build cache folder
# What a runtime's path or a build folder may add to an argument: unknown until the run, so the
# most a path may be (PATH_MAX) is assumed when an argv is checked against the kernel's limit.
PATH_ROOM = 4096
MAX_SUITE_BYTES = 64 * 2**20
MAX_SECONDS = 7 * 24 * 3600  # a timeout or a load's duration longer than a week is a typo
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
    # The profiles that run it unless its variant is named (--variant): a collector variant is
    # --full only, so the quick run keeps its time for the answers.
    profiles: tuple = PROFILES
    requires: int = 0  # the runtime's lowest feature version for its flags (Java 25: compact headers)
    # Command programs: an argv with {placeholders}, run unchanged from the suite's folder.
    command: tuple = ()
    build: tuple = ()  # an argv run once per source state before the first run
    checksum: str = ""  # "stdout", "numbers", "none" or "regex" (then ``pattern``)
    pattern: str = ""
    cwd: Path | None = None
    image: str = ""  # a command program's container image where its language has no lab image

    @property
    def label(self) -> str:
        """``language/variant``, as tables show it; ``java21/virtual`` among several Javas, and
        ``pypy/threads`` for another implementation (a tag that is a name, not a version)."""
        if self.runtime[:1].isalpha():
            return f"{self.runtime}/{self.variant}"
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
    if path == BUILTIN:
        try:
            return _builtin(BUILTIN.read_bytes())
        except OSError:
            pass  # _read says what is wrong with it
    return _read(path)


@functools.lru_cache(maxsize=4)
def _builtin(content: bytes) -> Catalogue:
    """The lab's own catalogue, parsed and checked once per content: the judge, the sampler and the
    claims file each ask for it (50 times in the unit tests, 5 ms each). Its programs are the
    repository's own, so a check that they exist holds as long as the content is the same."""
    del content  # the cache key only: _read reads the file itself, with its own error messages
    return _read(BUILTIN)


def _read(path: Path) -> Catalogue:
    """Read and validate the catalogue file at ``path`` (no cache)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SUITE_BYTES + 1)  # bounded: --suite /dev/zero must not fill the memory
        if len(raw) > MAX_SUITE_BYTES:
            raise CatalogueError(f"{path}: over {MAX_SUITE_BYTES // 2**20} MiB; a suite is a small TOML file")
        data = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise CatalogueError(f"{path}: no such catalogue file; check the --suite path") from None
    except IsADirectoryError:
        raise CatalogueError(f"{path}: is a folder; give the suite's .toml file") from None
    except OSError as error:
        raise CatalogueError(f"{path}: cannot be read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise CatalogueError(f"{path}: not UTF-8 text (line {line}); a suite is a TOML file, saved as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{path}: not valid TOML: {error}") from None
    except RecursionError:
        raise CatalogueError(f"{path}: not valid TOML: arrays or tables nested too deeply") from None
    return _catalogue(path.resolve(), data)


def _catalogue(path: Path, data: dict) -> Catalogue:
    where = _Where(path)
    unknown = set(data) - {"languages", "workloads"}
    if unknown:
        where.fail(f"unknown top-level key(s) {sorted(unknown)}; expected 'languages' and 'workloads'")
    roots = _language_roots(where.key_("languages"), _table(where.key_("languages"), data.get("languages", {})))
    workloads = data.get("workloads")
    if not isinstance(workloads, dict) or not workloads:
        where.fail("no workloads; add at least one [workloads.NAME] table")
    parsed = {name: _workload(where.at(name), name, body, roots) for name, body in workloads.items()}
    _check_distinct_files(where, list(parsed))
    return Catalogue(path, parsed)


def _check_distinct_files(where: _Where, names: list) -> None:
    """Two workloads may not differ by case alone: on macOS and Windows they would write one plot."""
    seen: dict = {}
    for name in names:
        if name.lower() in seen:
            where.at(name).fail(f"differs from workload '{seen[name.lower()]}' by case alone; their plots would be one file")
        seen[name.lower()] = name


class _Where:
    """Where in a catalogue an error is, so messages name the file, workload and key."""

    def __init__(self, path: Path, workload: str | None = None, key: str = ""):
        self.path, self.workload, self.key = path, workload, key

    def at(self, workload: str) -> _Where:
        return _Where(self.path, workload)

    def key_(self, key: str) -> _Where:
        return _Where(self.path, self.workload, f"{self.key}.{key}" if self.key else key)

    def fail(self, message: str) -> NoReturn:
        """Raise the CatalogueError: one line, whatever characters the suite's names and values hold."""
        place = str(self.path)
        if self.workload is not None:
            place += f": workload '{self.workload}'"
        if self.key:
            place += f": key '{self.key}'"
        raise CatalogueError(_one_line(f"{place}: {message}"))


def _one_line(text: str) -> str:
    """``text`` with every unprintable character escaped (a newline in a name would split the error)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _language_roots(where: _Where, table: dict) -> dict:
    roots = {lang: where.path.parent for lang in LANGUAGES}
    for lang, body in table.items():
        here = where.key_(lang)
        if lang not in LANGUAGES:
            here.fail(f"unknown language; expected one of {', '.join(LANGUAGES)}")
        if not isinstance(body, dict) or not isinstance(body.get("root"), str):
            here.fail("expected a table with root = \"DIR\"")
        roots[lang] = _path(here.key_("root"), where.path.parent, body["root"])
    return roots


def _table(where: _Where, value) -> dict:
    """A TOML table (``key = { ... }`` or ``[section]``), else a one-line error naming the key."""
    if not isinstance(value, dict):
        where.fail(f"expected a table, e.g. {where.key.rsplit('.', 1)[-1]} = {{ ... }}, not {_shown(value)}")
    return value


def _path(where: _Where, base: Path, text: str) -> Path:
    """``text`` relative to ``base``, resolved; a text no file system accepts is refused."""
    if "\0" in text:
        where.fail("a path cannot hold a NUL character")
    try:
        return (base / text).resolve()
    except (OSError, ValueError, RuntimeError) as error:  # RuntimeError: a symlink loop (Python < 3.13)
        where.fail(f"{text!r} is not a usable path: {error}")


def _shown(value) -> str:
    """A value as an error message shows it: its TOML type and a short repr."""
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _workload(where: _Where, name: str, body: dict, roots: dict) -> Workload:
    if not is_safe_name(name):
        where.fail(f"a workload name must be {NAME_RULE} (it names files and report headings)")
    if not isinstance(body, dict):
        where.fail("expected a table")
    _check_keys(where, body, WORKLOAD_KEYS)
    for key in ("family", "question"):
        if not isinstance(body.get(key), str) or not body[key].strip():
            where.key_(key).fail("missing; give it a short text")
    kind = body.get("kind", "batch")
    if kind not in KINDS:
        where.key_("kind").fail(f"'{kind}' is not one of {', '.join(KINDS)}")
    params = _params(where.key_("params"), body.get("params", {}), kind)
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
    server = _path(where.key_("server"), where.path.parent, fixture["server"])
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
    args = _args(where.key_("args"), body.get("args", {}))
    params = _params(where.key_("params"), body.get("params", {}), kind)
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
    runtime_args = _strings(where.key_("runtime_args"), body.get("runtime_args", []))
    profiles = _profiles(where.key_("profiles"), body.get("profiles", list(PROFILES)))
    requires = _requires(where.key_("requires"), body["requires"], language) if "requires" in body else 0
    # The argv the runtime gets: runtime, its flags, (-cp CLASSES for Java,) the source, then key=value each.
    fixed = [PATH_ROOM] * 4 + [_text_size(a) for a in runtime_args]
    longest = _longest(all_params, args)
    _check_fits(where, fixed + [_text_size(key) + 1 + size for key, size in longest.items()])
    return Program(
        language=language,
        variant=variant,
        source=source,
        root=roots[language],
        args=dict(args),
        runtime_args=tuple(runtime_args),
        params=params,
        spawns=program_spawns,
        parallel=parallel,
        not_applicable=not_applicable,
        cores=cores,
        profiles=profiles,
        requires=requires,
    )


def _profiles(where: _Where, value) -> tuple:
    """``profiles = ["full"]``: a non-empty list of profile names."""
    names = _strings(where, value)
    unknown = [name for name in names if name not in PROFILES]
    if not names or unknown:
        where.fail(f"expected a non-empty list of {' and '.join(PROFILES)}, got {_shown(value)}")
    return tuple(dict.fromkeys(names))


def _requires(where: _Where, value, language: str) -> int:
    """``requires = 25``: the lowest Java feature version whose runtime takes the program's flags."""
    if language != "java":
        where.fail("only a Java program takes this (the lowest Java version its runtime_args need)")
    if isinstance(value, bool) or not isinstance(value, int) or not 8 <= value <= 99:
        where.fail(f"expected a Java feature version such as 25, got {_shown(value)}")
    return value


def _variant(where: _Where, body: dict) -> str:
    variant = body.get("variant", "default")
    if not is_safe_name(variant):
        where.key_("variant").fail(f"{_shown(variant)} is not a name: expected {NAME_RULE} (it names files)")
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
        where.key_("language").fail(f"{_shown(language)} is not a name: expected {NAME_RULE} (python, go, rust, c, ...)")
    variant = _variant(where, body)
    args = _args(where.key_("args"), body.get("args", {}))
    params = _params(where.key_("params"), body.get("params", {}), kind)
    known = set(workload_params) | set(params) | set(args) | set(RUNTIME_PLACEHOLDERS) | {BUILD_DIR}
    command = _argv(where.key_("command"), body["command"], known)
    build = _argv(where.key_("build"), body["build"], set(RUNTIME_PLACEHOLDERS) | {BUILD_DIR}) if "build" in body else []
    folder = where.path.parent
    _check_executable(where.key_("command"), command[0], folder, built=bool(build))
    longest = _longest({**workload_params, **params}, args)
    _check_fits(where.key_("command"), [_filled_length(argument, longest) for argument in command])
    if build:
        _check_executable(where.key_("build"), build[0], folder, built=False)
        _check_fits(where.key_("build"), [_filled_length(argument, {}) for argument in build])
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
    """A command or build argv: texts whose placeholders are plain ``{name}``s of ``known`` names.

    Values reach a program as text, so a format spec (``{n:03d}``) or a conversion (``{n!r}``)
    is refused here rather than failing in the run: write the padding into the value instead.
    """
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        where.fail('expected a non-empty list of texts, e.g. ["{python}", "bt.py", "{n}"]')
    for argument in value:
        if "\0" in argument:
            where.fail(f"{argument!r} holds a NUL character, which no program can receive")
        try:
            fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(argument)
                      if name is not None]
        except ValueError as error:
            where.fail(f"bad placeholder in {argument!r}: {error} (write a literal brace as {{{{ or }}}})")
        for name, spec, conversion in fields:
            if spec or conversion or "." in name or "[" in name:
                where.fail(f"placeholder in {argument!r} is not a plain {{name}}: format specs, conversions, "
                           "attributes and indexes are not supported (values are passed as text)")
            if name not in known:
                where.fail(f"placeholder {{{name}}} names no parameter or runtime; known: {', '.join(sorted(known))}")
    return value


def _args(where: _Where, value) -> dict:
    """A program's fixed ``args``: a table of key = number or text, each one argument of its argv."""
    if not isinstance(value, dict) or not all(_is_scalar(v) for v in value.values()):
        where.fail(f"expected a table of key = number or text, not {_shown(value)}")
    for key, v in value.items():
        _param_key(where.key_(key), key)
        if isinstance(v, float) and not math.isfinite(v):
            where.key_(key).fail(f"numbers must be finite, not {v}")
        if isinstance(v, str) and "\0" in v:
            where.key_(key).fail("a NUL character cannot be passed as an argument")
    return value


def _longest(params: dict, args: dict) -> dict:
    """Each parameter's and fixed argument's longest value as text, in bytes, over profiles and sweeps."""
    longest = {name: max(_text_size(v) for value in param.values() for v in (value if isinstance(value, list) else [value]))
               for name, param in params.items()}
    return longest | {name: _text_size(v) for name, v in args.items()}


def _filled_length(argument: str, longest: dict) -> int:
    """The most bytes ``argument`` can take once filled: each param at its longest value, each
    runtime or build folder at ``PATH_ROOM``."""
    size = 0
    for literal, name, _, _ in string.Formatter().parse(argument):
        size += _text_size(literal)
        if name is not None:
            size += longest.get(name, PATH_ROOM)
    return size


def _text_size(value) -> int:
    return len(str(value).encode("utf-8", "surrogatepass"))


def _check_fits(where: _Where, sizes: list) -> None:
    """Refuse an argv the kernel would refuse with E2BIG: one argument over its per-argument limit
    (32 pages on Linux), or all of them with the environment over ``SC_ARG_MAX``."""
    per_argument = 32 * os.sysconf("SC_PAGESIZE")
    too_long = [size for size in sizes if size >= per_argument]
    if too_long:
        where.fail(f"an argument of {max(too_long)} bytes is longer than the kernel takes ({per_argument - 1}); "
                   "pass large inputs in a file")
    pointer = 8
    environment = sum(len(key) + len(value) + 2 + pointer for key, value in os.environb.items())
    total = sum(size + 1 + pointer for size in sizes) + environment + pointer * 2
    limit = os.sysconf("SC_ARG_MAX")
    if total > limit:
        where.fail(f"the arguments and the environment take {total} bytes, over the kernel's limit of {limit} "
                   "(ARG_MAX); pass large inputs in a file")


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
        path = folder / first
        if not path.is_file():
            where.fail(f"executable {first!r} not found (relative to {folder})")
        if not os.access(path, os.X_OK):
            where.fail(f"{first!r} may not be run (no execute permission); chmod +x {path}")
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
    path = _path(where, root, source)
    if path.suffix != SOURCE_SUFFIX[language]:
        where.fail(f"a {language} program must be a {SOURCE_SUFFIX[language]} file, not '{source}'")
    if not path.is_file():
        where.fail(f"{path} does not exist")
    return path


def _params(where: _Where, table, kind: str) -> dict:
    """A ``params`` table: each parameter by ``_param``; a server's load parameters are numbers."""
    params = {_param_key(where.key_(key), key): _param(where.key_(key), value) for key, value in _table(where, table).items()}
    if kind == "server":
        for name in set(LOAD_PARAMS) & set(params):
            _load_param(where.key_(name), name, params[name])
    return params


def _param_key(where: _Where, name: str) -> str:
    """A parameter's or argument's name: it becomes ``name=value`` arguments, ``{name}`` placeholders and ``--param name=...``."""
    if not is_safe_name(name):
        where.fail(f"a parameter or argument name must be {NAME_RULE}")
    return name


def _param(where: _Where, value) -> dict:
    """A parameter as {"quick": v, "full": v}; each v a scalar or a non-empty sweep list."""
    if isinstance(value, dict):
        if set(value) != set(PROFILES):
            where.fail("a per-profile value needs exactly the keys quick and full, not a table of "
                       f"{', '.join(map(str, value)) or 'nothing'}")
        return {profile: _param_value(where.key_(profile), value[profile]) for profile in PROFILES}
    checked = _param_value(where, value)
    return {profile: checked for profile in PROFILES}


def _param_value(where: _Where, value):
    values = value if isinstance(value, list) else [value]
    if not values or not all(_is_scalar(v) for v in values):
        where.fail(f"expected a number, a text, or a non-empty list of them (a sweep), not {_shown(value)}")
    # Parameters are counts, sizes and durations: nan or inf would reach a program as "nan" or "inf".
    if any(isinstance(v, float) and not math.isfinite(v) for v in values):
        where.fail(f"numbers must be finite, not {_shown(value)}")
    if any(not isinstance(v, str) and v <= 0 for v in values):
        where.fail(f"numbers must be above 0, not {_shown(value)}")
    if any(isinstance(v, str) and "\0" in v for v in values):
        where.fail("a text cannot hold a NUL character: no program can receive it as an argument")
    return value


def _load_param(where: _Where, name: str, value: dict) -> None:
    """The load generator's ``connections`` (a whole number) and ``duration_s`` (seconds): numbers, never texts."""
    for profile_value in value.values():
        for v in profile_value if isinstance(profile_value, list) else [profile_value]:
            if isinstance(v, str) or (name == "connections" and not isinstance(v, int)):
                kind = "a whole number of connections" if name == "connections" else "a number of seconds"
                where.fail(f"the load generator needs {kind}, not {v!r}")
            if name == "duration_s" and v > MAX_SECONDS:
                where.fail(f"{v} s is more than a week (at most {MAX_SECONDS})")


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
        where.fail(f"expected a list of texts, not {_shown(value)}")
    if any("\0" in v for v in value):
        where.fail("a text cannot hold a NUL character")
    return value


def _timeout(where: _Where, value):
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
        where.fail(f"expected a positive, finite number of seconds, not {_shown(value)}")
    if value > MAX_SECONDS:
        where.fail(f"{value} s is more than a week; a timeout that long is no timeout (at most {MAX_SECONDS})")
    return float(value)
