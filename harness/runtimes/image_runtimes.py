"""Runtimes that only an image holds: Debian sid's CPython 3.14, PyPy (Python 3.11) and OpenJDK 25.

Their binaries need a newer C library than a Debian 12 host has, so they run only in containers,
from a base that scripts/build-base-images.sh makes with debootstrap from Debian's archive (no
registry): ``scripts/build-base-images.sh sid``. ``--python sid:3.14`` names one on any backend
(natively its rows are skipped, saying why); with ``--backend docker`` alone, a version this machine
lacks is looked for here too (``--python 3.14``). Each is tagged ``<name>-sid`` (``3.14-sid``,
``pypy-sid``), so it never shares a row label with a runtime of this machine, and the version a
table shows is the one probed inside its image.
"""

from __future__ import annotations

from dataclasses import dataclass

SID_IMAGE = "runtime-lab/base-sid:sid"
SID_PREFIX = "sid:"


@dataclass(frozen=True)
class ImageRuntime:
    """A runtime inside an image: the name ``--python`` takes, and its executable's path in the image."""

    language: str
    name: str  # "3.14", "pypy", "25"
    executable: str
    implementation: str = ""
    image: str = SID_IMAGE


IN_SID = (
    ImageRuntime("python", "3.14", "/usr/bin/python3.14"),
    ImageRuntime("python", "pypy", "/usr/bin/pypy3", "pypy"),
    ImageRuntime("java", "25", "/usr/lib/jvm/java-25-openjdk-amd64/bin/java"),
)


def find(language: str, name: str) -> ImageRuntime | None:
    """The image runtime ``--<language> <name>`` (or ``sid:<name>``) names, or None."""
    name = name.removeprefix(SID_PREFIX)
    return next((r for r in IN_SID if r.language == language and r.name == name), None)


def names(language: str) -> list[str]:
    """What ``sid:`` takes for a language: ``sid:3.14``, ``sid:pypy``."""
    return [f"{SID_PREFIX}{r.name}" for r in IN_SID if r.language == language]
