"""Command programs: any executable measured unchanged, its {placeholders} filled and its build cached.

A catalogue program may be an argv instead of a source file (see catalogue.py). Its placeholders
are filled with the job's parameters, the chosen runtimes and its build folder; each filled
value is one argument, never seen by a shell. A ``build`` argv runs once per source state, in
the suite's folder, and writes into a cache folder named by a digest of the build and its inputs.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from harness.catalogue.loader import BUILD_DIR, RUNTIME_PLACEHOLDERS, Program, placeholders
from harness.errors import BuildError
from harness.results.files import cache_problem, no_room

BUILD_TAIL_LINES = 15


# Inside a lab image (a version's image too): the runtimes on its PATH, the suite's folder and the build's output.
CONTAINER_RUNTIMES = {"python": "python3", "java": "java", "node": "node"}
CONTAINER_SUITE = "/lab/suite"
CONTAINER_BUILD = "/lab/build"


def runtime_values(toolchain) -> dict:
    """The runtime placeholders this toolchain can fill: {python}, {java}, {javac}, {node}."""
    values = {language: str(runtime.executable) for language, runtime in toolchain.runtimes.items()}
    if "java" in toolchain.runtimes and toolchain.runtimes["java"].compiler:
        values["javac"] = str(toolchain.runtimes["java"].compiler)
    return values


def container_argv(program: Program, arguments: dict) -> list:
    """The argv of one run inside a container: the image's runtimes, the build folder mounted at
    /lab/build (the suite's folder is the working directory, /lab/suite)."""
    values = {**{k: str(v) for k, v in arguments.items()}, **CONTAINER_RUNTIMES, BUILD_DIR: CONTAINER_BUILD}
    return fill(program.command, values)


def runtimes_needed(program: Program) -> list:
    """The runtimes a command program's command or build names."""
    names = {name for argument in program.command + program.build for name in placeholders(argument)}
    return [name for name in RUNTIME_PLACEHOLDERS if name in names]


def fill(argv, values: dict) -> list:
    """Each argument with its placeholders replaced: one argument stays one argument."""
    return [argument.format_map(values) for argument in argv]


def argv(program: Program, toolchain, arguments: dict) -> list:
    """The argv of one run: parameters, fixed args, runtimes and the build folder filled in."""
    values = {**{k: str(v) for k, v in arguments.items()}, **runtime_values(toolchain)}
    values[BUILD_DIR] = str(toolchain.build_dirs.get(build_key(program), ""))
    return fill(program.command, values)


def build_key(program: Program) -> tuple:
    """What identifies a build: its folder and its argv (programs sharing both share the build)."""
    return (program.cwd, program.build)


def build_all(toolchain, programs, cache: Path, java_release: int | None = None) -> None:
    """Run every distinct build step once per source state; record its folder or why it failed.

    Builds run on this machine. ``java_release``: a ``{javac}`` argument then compiles with
    ``--release N``, so that classes built here load on an older Java too (a container's).
    """
    for program in programs:
        key = build_key(program)
        if not program.build or key in toolchain.build_dirs or key in toolchain.build_failures:
            continue
        values = runtime_values(toolchain)
        folder = cache / "builds" / _digest(program, {**values, "release": str(java_release)})
        command = _with_release(fill(program.build, {**values, BUILD_DIR: str(folder)}), program.build, java_release)
        if (folder / ".complete").exists():
            toolchain.build_dirs[key] = folder
            continue
        _fresh(folder)
        try:
            done = subprocess.run(command, cwd=program.cwd, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as error:
            toolchain.build_failures[key] = (command, f"build could not run: {error}")
            _remove(folder)
            continue
        if done.returncode != 0:
            _refuse_if_no_room(folder)
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-BUILD_TAIL_LINES:])
            toolchain.build_failures[key] = (command, f"build failed with exit code {done.returncode}: {tail}")
            _remove(folder)
            continue
        try:
            (folder / ".complete").touch()
        except OSError as error:
            _remove(folder)
            raise BuildError(cache_problem(folder / ".complete", error)) from None
        toolchain.build_dirs[key] = folder


def _fresh(folder: Path) -> None:
    """An empty build folder: what an interrupted or failed build left there is not built on."""
    _remove(folder)
    try:
        folder.mkdir(parents=True)
    except OSError as error:
        raise BuildError(cache_problem(folder, error)) from None


def _remove(folder: Path) -> None:
    """A build folder without ``.complete`` goes, so no later run trips on half of one."""
    shutil.rmtree(folder, ignore_errors=True)


def _refuse_if_no_room(folder: Path) -> None:
    """A build that failed on a full or read-only disk is the machine's fault, not the program's:
    a one-line error (exit 2) rather than every row of the suite failed."""
    why = no_room(folder)
    if why:
        _remove(folder)
        raise BuildError(f"the build in {folder} failed: {why}")


def _with_release(command: list, template: tuple, release: int | None) -> list:
    """``--release N`` after each argument that was exactly ``{javac}``."""
    if release is None:
        return command
    out = []
    for filled, original in zip(command, template):
        out += [filled, "--release", str(release)] if original == "{javac}" else [filled]
    return out


def _digest(program: Program, runtimes: dict) -> str:
    """The build's argv, the runtimes it names, and the content of every file it names.

    Inside the suite's folder a named folder counts by every file in it. Outside (``-L /usr/lib``,
    ``/usr/lib/libm.so``) a file counts by its content and a folder by its name alone: hashing a
    whole system folder would be slow and would rebuild on every package update.
    """
    digest = hashlib.sha256(repr((program.build, sorted(runtimes.items()))).encode())
    folder = Path(program.cwd or ".").resolve()
    for argument in program.build:
        if placeholders(argument):
            continue
        path = (folder / argument).resolve()
        inside = path == folder or folder in path.parents
        for file in _files(path, walk=inside):
            name = file.relative_to(folder) if inside else file  # relative: a moved suite keeps its builds
            digest.update(str(name).encode() + _content(file))
    return digest.hexdigest()[:16]


def _files(path: Path, walk: bool) -> list:
    """``path`` if it is a file; the files under it if it is a folder and ``walk``; else none."""
    try:
        if path.is_file():
            return [path]
        return sorted(file for file in path.rglob("*") if file.is_file()) if walk and path.is_dir() else []
    except OSError:  # a folder that cannot be listed counts by its name, which is in the argv
        return []


def _content(file: Path) -> bytes:
    """A file's bytes; an unreadable one counts by its size and time instead, so the digest never fails."""
    try:
        return file.read_bytes()
    except OSError:
        try:
            stat = file.stat()
        except OSError:
            return b"unreadable"
        return f"{stat.st_size}:{stat.st_mtime_ns}".encode()
