"""Find the Python, Java and Node runtimes, describe them, compile Java, and build command lines."""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from harness import commands
from harness.catalogue import Program
from harness.errors import BuildError, RuntimeNotFound

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "runtime-lab"
JAVA_COLLECTORS = ("G1", "Serial", "Parallel", "Z", "Shenandoah", "Epsilon")
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
    compiler: Path | None = None

    @property
    def major(self) -> int:
        """The feature version: 3 for Python 3.11, 21 for Java 21, 20 for Node 20."""
        return int(re.match(r"\d+", self.version).group())


@dataclass
class Toolchain:
    """The runtimes chosen for one run, and how to launch a program on them."""

    runtimes: dict  # language -> Runtime
    missing: dict = field(default_factory=dict)  # language -> why it is missing
    java_classes: dict = field(default_factory=dict)  # java root -> compiled classes dir
    build_dirs: dict = field(default_factory=dict)  # command program's build key -> its folder
    build_failures: dict = field(default_factory=dict)  # build key -> (argv, why it failed)

    def launch(self, program: Program, arguments: dict) -> tuple[list, dict]:
        """The argv and environment that run ``program`` natively with ``arguments``."""
        env = dict(os.environ)
        if program.command:
            return commands.argv(program, self, arguments), env
        runtime = self.runtimes[program.language]
        args = [f"{key}={value}" for key, value in arguments.items()]
        if program.language == "python":
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(program.root), env.get("PYTHONPATH")]))
            return [str(runtime.executable), *program.runtime_args, str(program.source), *args], env
        if program.language == "java":
            classes = self.java_classes[program.root]
            return [str(runtime.executable), *program.runtime_args, "-cp", str(classes), java_class(program), *args], env
        return [str(runtime.executable), *program.runtime_args, str(program.source), *args], env


def skip_reason(toolchain: Toolchain, program: Program) -> str:
    """Why ``program`` cannot run with this toolchain, or "" if it can."""
    if program.not_applicable:
        return f"not applicable: {program.not_applicable}"
    if program.command:
        missing = [name for name in commands.runtimes_needed(program) if name not in commands.runtime_values(toolchain)]
        return toolchain.missing.get(missing[0], f"{missing[0]}: not found") if missing else ""
    if program.language in toolchain.missing:
        return toolchain.missing[program.language]
    needed = required_version(program.source) if program.language == "java" else None
    runtime = toolchain.runtimes[program.language]
    if needed and runtime.major < needed:
        return f"needs Java {needed} or newer; found {runtime.version} (install a newer JDK or pass --java PATH)"
    return ""


REQUIRES = re.compile(r"//\s*requires:\s*java\s+(\d+)")


def required_version(source: Path) -> int | None:
    """The Java feature version a source declares on its first line (``// requires: java 21``)."""
    with open(source, encoding="utf-8") as handle:
        match = REQUIRES.match(handle.readline().strip())
    return int(match.group(1)) if match else None


def java_class(program: Program) -> str:
    """``<root>/lab/memory/EagerLazy.java`` -> ``lab.memory.EagerLazy``."""
    return ".".join(program.source.relative_to(program.root).with_suffix("").parts)


def discover(python=None, java=None, node=None) -> Toolchain:
    """Find each runtime; explicit paths must work, defaults may be missing."""
    toolchain = Toolchain(runtimes={})
    finders = {"python": (_find_python, python), "java": (_find_java, java), "node": (_find_node, node)}
    for language, (finder, explicit) in finders.items():
        try:
            toolchain.runtimes[language] = finder(explicit)
        except RuntimeNotFound as missing:
            if explicit:
                raise
            toolchain.missing[language] = str(missing)
    return toolchain


def require(toolchain: Toolchain, languages) -> None:
    """Fail if a language the user asked for by name has no runtime."""
    for language in languages:
        if language in toolchain.missing:
            raise RuntimeNotFound(toolchain.missing[language])


def _find_python(explicit) -> Runtime:
    executable = _existing("python", explicit) if explicit else Path(sys.executable)
    output = _run_version([executable, "--version"], "python")
    return Runtime("python", executable, output.split()[-1])


def _find_node(explicit) -> Runtime:
    executable = _existing("node", explicit) if explicit else _on_path("node")
    return Runtime("node", executable, _run_version([executable, "--version"], "node").lstrip("v"))


def _find_java(explicit) -> Runtime:
    """The newest JDK (with javac) among JAVA_HOME, PATH and /usr/lib/jvm/*, or the explicit one."""
    if explicit:
        path = _existing("java", explicit)
        candidates = [path / "bin" / "java" if path.is_dir() else path]
    else:
        candidates = _java_candidates()
    jdks = [jdk for jdk in map(_describe_java, candidates) if jdk is not None]
    if not jdks:
        raise RuntimeNotFound(f"java: no JDK with javac found in JAVA_HOME, PATH or /usr/lib/jvm; {HINTS['java']}")
    return max(jdks, key=lambda jdk: _version_key(jdk.version))


def _java_candidates() -> list:
    found = []
    if os.environ.get("JAVA_HOME"):
        found.append(Path(os.environ["JAVA_HOME"]) / "bin" / "java")
    if shutil.which("java"):
        found.append(Path(shutil.which("java")))
    found += [Path(p) for p in sorted(glob.glob("/usr/lib/jvm/*/bin/java"))]
    unique = {}
    for path in found:
        if path.exists():
            unique.setdefault(path.resolve(), path.resolve())
    return list(unique)


def _describe_java(java: Path) -> Runtime | None:
    javac = java.with_name("javac")
    if not java.is_file() or not javac.is_file():
        return None
    try:
        banner = _run_version([java, "-version"], "java")
    except RuntimeNotFound:
        return None
    match = re.search(r'version "([^"]+)"', banner)
    return Runtime("java", java, match.group(1), compiler=javac) if match else None


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
    """Compile every .java file under each root once per source state and JDK (cached)."""
    java = toolchain.runtimes["java"]
    for root in sorted(set(roots)):
        # Sources that need a newer JDK are left out; their programs are skipped (skip_reason).
        sources = [s for s in sorted(Path(root).rglob("*.java")) if (required_version(s) or 0) <= java.major]
        digest = hashlib.sha256(f"{java.compiler}{java.version}".encode())
        for source in sources:
            digest.update(str(source).encode() + source.read_bytes())
        classes = CACHE / "java" / digest.hexdigest()[:16]
        if not (classes / ".complete").exists():
            _javac(java, sources, classes)
        toolchain.java_classes[root] = classes


def _javac(java: Runtime, sources: list, classes: Path) -> None:
    classes.mkdir(parents=True, exist_ok=True)
    command = [str(java.compiler), "-encoding", "UTF-8", "-d", str(classes), *map(str, sources)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise BuildError(f"javac failed ({java.compiler}); fix the Java sources:\n{tail}")
    (classes / ".complete").touch()


def describe(runtime: Runtime) -> dict:
    """Version, executable and the effective memory settings of one runtime."""
    info = {"executable": str(runtime.executable), "version": runtime.version}
    info.update({"python": _python_settings, "java": _java_settings, "node": _node_settings}[runtime.language](runtime))
    return info


def _python_settings(runtime: Runtime) -> dict:
    code = "import gc,platform,sys;print(platform.python_implementation(), *gc.get_threshold(), sys._is_gil_enabled() if hasattr(sys,'_is_gil_enabled') else True)"
    out = _quiet([runtime.executable, "-c", code]).split()
    if len(out) != 5:
        return {}
    return {"implementation": out[0], "gc_thresholds": [int(t) for t in out[1:4]], "gil": out[4] == "True"}


def _java_settings(runtime: Runtime) -> dict:
    flags = {}
    for line in _quiet([runtime.executable, "-XX:+PrintFlagsFinal", "-version"]).splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[2] == "=":
            flags[parts[1]] = parts[3]
    collectors = [name for name in JAVA_COLLECTORS if flags.get(f"Use{name}GC") == "true"]
    return {
        "max_heap_bytes": int(flags.get("MaxHeapSize", 0)),
        "initial_heap_bytes": int(flags.get("InitialHeapSize", 0)),
        "collector": ",".join(collectors),
        "javac": str(runtime.compiler),
    }


def _node_settings(runtime: Runtime) -> dict:
    limit = _quiet([runtime.executable, "-p", "require('v8').getHeapStatistics().heap_size_limit"]).strip()
    return {"heap_limit_bytes": int(limit)} if limit.isdigit() else {}


def _quiet(command: list) -> str:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr
