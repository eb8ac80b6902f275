"""Other implementations of a language (PyPy, Bun, Deno) are runtimes of it: installed into the
cache from fake packages, named by implementation, labelled pypy/threads, launched as each wants."""

import io
import tarfile
from pathlib import Path

import pytest

from harness import paths, runtimes
from harness.catalogue import Program
from harness.errors import InstallError, RuntimeNotFound, UsageError
from harness.results.model import program_name
from harness.runtimes import install, toolchain

FAKE_BUN = "#!/bin/sh\necho 9.8.7\n"
FAKE_DENO = "#!/bin/sh\necho 'deno 9.1.0 (stable, release, x86_64-unknown-linux-gnu)'\necho 'v8 15.0'\n"
FAKE_PYPY = "#!/bin/sh\necho 3.9.16 False pypy\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty lab cache of its own."""
    monkeypatch.setattr(paths, "CACHE", tmp_path / "cache")
    return tmp_path / "cache"


def npm_package(cwd: Path, member: str, script: str) -> str:
    """A tarball as `npm pack` leaves it, holding one executable file."""
    data = script.encode()
    with tarfile.open(cwd / "fake.tgz", "w:gz") as archive:
        entry = tarfile.TarInfo(member)
        entry.size, entry.mode = len(data), 0o755
        archive.addfile(entry, io.BytesIO(data))
    return "fake.tgz\n"


@pytest.mark.parametrize(("spec", "member", "script", "version"), [
    ("node@bun", "package/bin/bun", FAKE_BUN, "9.8.7"),       # Bun's package keeps it in bin/
    ("node@deno", "package/deno", FAKE_DENO, "9.1.0"),        # Deno's at the top
])
def test_bun_and_deno_come_from_their_npm_platform_package(cache, monkeypatch, spec, member, script, version):
    calls = []

    def run(command, cwd, what):
        calls.append(command)
        return npm_package(cwd, member, script)

    monkeypatch.setattr(install, "_run", run)
    name = spec.split("@")[1]
    done = install.install(spec, say=lambda _: None)
    assert done.executable == cache / "runtimes" / f"node-{name}" / "bin" / name
    assert calls[0][:2] == ["npm", "pack"] and calls[0][2] == install.IMPLEMENTATIONS["node"][name][0]
    [found] = [r for r in runtimes.available("node") if r.tag == name]
    assert (found.implementation, found.version) == (name, version)
    assert runtimes.discover(node=name).runtimes["node"].executable == done.executable


def test_pypy_comes_from_debian_packages_unpacked_into_the_cache(cache, monkeypatch):
    calls = []

    def run(command, cwd, what):
        calls.append(command)
        if command[:2] == ["dpkg-deb", "-x"]:
            binary = Path(command[3]) / "usr" / "bin" / "pypy3.9"
            binary.parent.mkdir(parents=True, exist_ok=True)
            binary.write_text(FAKE_PYPY)
            binary.chmod(0o755)
        else:
            for package in command[2:]:
                (cwd / f"{package}.deb").write_text("")
        return ""

    monkeypatch.setattr(install, "_run", run)
    monkeypatch.setattr(install.shutil, "which", lambda name: f"/usr/bin/{name}")
    done = install.install("python@pypy", say=lambda _: None)
    assert calls[0] == ["apt-get", "download", "pypy3", "pypy3-lib"]
    assert done.executable.is_symlink() and done.executable.resolve().name == "pypy3.9"
    [found] = [r for r in runtimes.available("python") if r.tag == "pypy"]
    assert (found.implementation, found.version) == ("pypy", "3.9.16")


def test_pypy_without_apt_is_a_one_line_error_saying_what_to_pass(cache, monkeypatch):
    monkeypatch.setattr(install.shutil, "which", lambda name: None)
    with pytest.raises(InstallError, match="no apt-get; install PyPy another way and pass --python PATH"):
        install.install("python@pypy", say=lambda _: None)


def test_an_unknown_implementation_lists_the_ones_the_lab_knows():
    with pytest.raises(UsageError, match=r"not an implementation the lab installs .*python@pypy, node@bun, node@deno"):
        install.parse_spec("python@graalpy")
    with pytest.raises(RuntimeNotFound, match=r"not a runtime the lab knows .*pypy"):
        runtimes.discover(python="graalpy")


def fake_runtime(tmp_path, name, script):
    path = tmp_path / name
    path.write_text(script)
    path.chmod(0o755)
    return path


def test_what_version_says_tells_node_bun_and_deno_apart(tmp_path):
    node = toolchain._find_node(fake_runtime(tmp_path, "node", "#!/bin/sh\necho v22.1.0\n"))
    bun = toolchain._find_node(fake_runtime(tmp_path, "bun", FAKE_BUN))
    deno = toolchain._find_node(fake_runtime(tmp_path, "deno", FAKE_DENO))
    assert [(r.tag, r.version, r.implementation) for r in (node, bun, deno)] == [
        ("22", "22.1.0", ""), ("bun", "9.8.7", "bun"), ("deno", "9.1.0", "deno")]


def test_each_javascript_runtime_gets_its_own_invocation():
    node = toolchain.Runtime("node", Path("node"), "22.1.0")
    deno = toolchain.Runtime("node", Path("deno"), "2.9.6", implementation="deno")
    bun = toolchain.Runtime("node", Path("bun"), "1.4.5", implementation="bun")
    assert toolchain.node_flags(node, ("--expose-gc",)) == ["--max-old-space-size=2048", "--expose-gc"]
    assert toolchain.node_flags(deno, ("--expose-gc",)) == [
        "run", "--allow-all", "--unstable-detect-cjs", "--v8-flags=--max-old-space-size=2048,--expose-gc"]
    assert toolchain.node_flags(bun, ("--expose-gc",)) == ["--expose-gc"]


def test_rows_of_another_implementation_are_named_by_it():
    program = Program(language="python", variant="threads", source=Path("/x.py"), root=Path("/"), runtime="pypy")
    assert program.label == "pypy/threads"
    assert Program(language="python", variant="threads", source=Path("/x.py"), root=Path("/"), runtime="3.13t").label == "python3.13t/threads"
    assert program_name({"language": "node", "runtime": "bun", "variant": "workers"}) == "bun/workers"
    assert program_name({"language": "java", "runtime": "21", "variant": "virtual"}) == "java21/virtual"


def test_the_reference_implementation_comes_first_so_all_judges_it():
    found = [toolchain.Runtime("python", Path("p"), "3.9.16", implementation="pypy"),
             toolchain.Runtime("python", Path("c"), "3.13.5"), toolchain.Runtime("python", Path("c"), "3.11.7")]
    ordered = sorted(found, key=toolchain.listing_order)
    assert [r.tag for r in ordered] == ["3.11", "3.13", "pypy"]


def standalone_release(folder: Path, version: str, script: str) -> str:
    """A python-build-standalone release folder as a file:// URL: SHA256SUMS and one install_only archive."""
    threading = "freethreaded-" if version.endswith("t") else ""
    name = f"cpython-{version.rstrip('t')}.1+20260203-x86_64-unknown-linux-gnu-{threading}install_only.tar.gz"
    data = script.encode()
    with tarfile.open(folder / name, "w:gz") as archive:
        entry = tarfile.TarInfo(f"python/bin/python{version}")
        entry.size, entry.mode = len(data), 0o755
        archive.addfile(entry, io.BytesIO(data))
    decoy = f"cpython-{version.rstrip('t')}.1+20260203-aarch64-unknown-linux-gnu-{threading}install_only.tar.gz"
    (folder / "SHA256SUMS").write_text(f"0000  {decoy}\n1111  {name}\n")
    return folder.as_uri()


def test_python_314t_comes_from_python_build_standalone_here_a_local_release(cache, tmp_path, monkeypatch):
    release = tmp_path / "release"
    release.mkdir()
    monkeypatch.setenv(install.STANDALONE_URL_VARIABLE, standalone_release(release, "3.14t", "#!/bin/sh\necho 3.14.1 True cpython\n"))
    done = install.install("python@3.14t", say=lambda _: None)
    assert done.executable == cache / "runtimes" / "python-3.14t" / "bin" / "python3.14t"
    [found] = [r for r in runtimes.available("python") if r.tag == "3.14t"]
    assert (found.version, found.free_threaded, found.implementation) == ("3.14.1", True, "")


def test_python_314_unreachable_says_in_one_line_what_to_pass_instead(cache, tmp_path, monkeypatch):
    monkeypatch.setenv(install.STANDALONE_URL_VARIABLE, (tmp_path / "nowhere").as_uri())
    with pytest.raises(InstallError) as raised:
        install.install("python@3.14", say=lambda _: None)
    message = str(raised.value)
    assert "\n" not in message
    assert "not reachable from here" in message and "pass --python PATH" in message
    assert not (cache / "runtimes" / "python-3.14").exists()
