"""Container images: what each is built from, a hash of it, its bases, and building it.

One image per language (python/Dockerfile, java/Dockerfile, node/Dockerfile) and a helpers image
(loadgen/Dockerfile), all built from the repository root. Each is labelled with a hash of exactly
what it was built from (its Dockerfile, its sources and the base images' ids), so an image is
rebuilt only when that changes. The base is a build argument: a local base from
scripts/build-base-images.sh when the engine has one, else the Dockerfile's default (the official
image, pulled).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from harness.errors import ImageBuildFailed, LabError
from harness.paths import REPO
from harness.runtimes.command_programs import CONTAINER_RUNTIMES

IMAGE_LABEL = "runtime-lab.image"
HASH_LABEL = "runtime-lab.context"
IMAGE_PREFIX = "runtime-lab/"
BASE_TAG = "trixie"  # the tag scripts/build-base-images.sh gives the local bases
BUILD_MODES = ("auto", "never", "always")


@dataclass(frozen=True)
class ImageSpec:
    """One image: its Dockerfile, the files and folders it copies, and its base build arguments."""

    language: str
    dockerfile: str  # relative to the repository root, which is the build context
    sources: tuple  # files and folders (relative to the root) the Dockerfile copies
    root: str  # the host folder, relative to the repository root, that programs' sources live under
    bases: tuple  # the build arguments naming its base images
    name: str = ""  # a suite's own image (a command program's ``image``), used as it is

    @property
    def tag(self) -> str:
        return self.name or f"{IMAGE_PREFIX}{self.language}:latest"


IMAGES = {
    # build/wheels: uvloop and aiohttp for the production variants (scripts/fetch-wheels.sh)
    "python": ImageSpec("python", "python/Dockerfile", ("python", "build/wheels"), "python", ("LAB_PYTHON_BASE",)),
    "java": ImageSpec("java", "java/Dockerfile", ("java/src",), "java/src", ("LAB_JDK_BASE", "LAB_JRE_BASE")),
    "node": ImageSpec("node", "node/Dockerfile", ("node",), "node", ("LAB_NODE_BASE",)),
}
# What runs beside servers and clients; not a language, so no programs live under it.
HELPERS = ImageSpec("helpers", "loadgen/Dockerfile", ("loadgen/loadgen.c", "loadgen/ceiling_server.c",
                    "harness/fixtures"), "", ("LAB_CC_BASE", "LAB_PYTHON_BASE"))
# The local base (scripts/build-base-images.sh) for each build argument of the Dockerfiles.
LOCAL_BASES = {
    "LAB_PYTHON_BASE": "base-python", "LAB_JDK_BASE": "base-jdk", "LAB_JRE_BASE": "base-jre",
    "LAB_NODE_BASE": "base-node", "LAB_CC_BASE": "base-cc",
}
# Where each image holds the programs (python, node) or the compiled classes (java).
CONTAINER_ROOTS = {"python": "/lab/python", "java": "/lab/java/classes", "node": "/lab/node"}


def ensure(client, spec: ImageSpec, build: str, bases: dict, progress) -> Image:
    """The image of ``spec``, built when missing or out of date (mode auto), as asked otherwise."""
    args = base_args(client, spec, bases)
    context, digest = build_context(spec, base_ids(client, args))
    existing = existing_image(client, spec.tag)
    if build == "never":
        if existing is None:
            raise LabError(f"no image {spec.tag}; build it (docker compose build, or --docker-build auto)")
        return Image(spec, existing, args, built=False, current=existing.labels.get(HASH_LABEL) == digest)
    if build == "auto" and existing is not None and existing.labels.get(HASH_LABEL) == digest:
        return Image(spec, existing, args, built=False, current=True)
    progress(f"building {spec.tag} from {spec.dockerfile}")
    return Image(spec, build_image(client, spec, context, digest, args), args, built=True, current=True)


# Images per runtime version: the language's own Dockerfile, built on a base that holds a runtime
# from this machine (runtime-lab/base-python:3.13t), tagged by version (runtime-lab/python:3.13t).
VERSION_BASE_ARG = {"python": "LAB_PYTHON_BASE", "java": "LAB_JRE_BASE", "node": "LAB_NODE_BASE"}
RUNTIMES_INSIDE = "/opt/runtime-lab"
RUNTIME_BASE_DOCKERFILE = """\
ARG BASE
FROM ${{BASE}}
COPY runtime/ {home}/
# A shared-library build (pyenv's) finds its libpython here, not at this machine's path.
ENV LD_LIBRARY_PATH={home}/lib
# The programs call {command}; /usr/local/bin comes first on the default PATH.
RUN ln -sf {home}/bin/{executable} /usr/local/bin/{command} && {command} {version_flag} >/dev/null
"""


def ensure_version(client, language: str, tag: str, home: Path, executable: str, build: str, bases: dict, progress) -> Image:
    """``runtime-lab/<language>:<tag>``: the language's Dockerfile on a base holding the runtime
    installed at ``home`` on this machine (its ``bin/<executable>``), each rebuilt only when the
    runtime or the plain base changes. The runtime must be self-contained (see ``link_outside``)."""
    spec = IMAGES[language]
    argument = VERSION_BASE_ARG[language]
    plain = base_args(client, spec, bases).get(argument) or _default_base(spec, argument)
    runtime_base = _runtime_base(client, language, tag, home, executable, plain, build, progress)
    versioned = replace(spec, name=f"{IMAGE_PREFIX}{language}:{tag}")
    return ensure(client, versioned, build, {**bases, argument: runtime_base}, progress)


# A base image that already holds the runtime (Debian sid's): its executable linked to the name the programs call.
IMAGE_RUNTIME_DOCKERFILE = """\
ARG BASE
FROM ${{BASE}}
RUN ln -sf {executable} /usr/local/bin/{command} && {command} {version_flag} >/dev/null
"""


def ensure_image_runtime(client, language: str, tag: str, base: str, executable: str, build: str, bases: dict,
                         progress) -> Image | None:
    """``runtime-lab/<language>:<tag>`` for a runtime that ``base`` holds at ``executable``: the
    language's Dockerfile on ``base`` with that executable as the programs' command. None when the
    engine has no ``base`` (it is built locally, never pulled)."""
    base_image = existing_image(client, base)
    if base_image is None:
        return None
    spec = IMAGES[language]
    argument = VERSION_BASE_ARG[language]
    name = f"{IMAGE_PREFIX}base-{language}:{tag}"
    dockerfile = IMAGE_RUNTIME_DOCKERFILE.format(executable=executable, command=CONTAINER_RUNTIMES[language],
                                                 version_flag=_version_flag(language))
    if build == "never" and existing_image(client, name) is None:
        raise LabError(f"no image {name}; build it (--docker-build auto)")
    label = hashlib.sha256(f"{dockerfile}\0{base_image.id}".encode()).hexdigest()[:16]
    _keep_or_build(client, language, name, dockerfile, base, label, build, progress, source=base)
    versioned = replace(spec, name=f"{IMAGE_PREFIX}{language}:{tag}")
    return ensure(client, versioned, build, {**bases, argument: name}, progress)


def _version_flag(language: str) -> str:
    return "-version" if language == "java" else "--version"


def _keep_or_build(client, language: str, name: str, dockerfile: str, base: str, label: str, build: str, progress,
                   source: str, runtime_home: Path | None = None) -> None:
    """Keep ``name`` when building is off or it was built from ``label``; else build it from
    ``dockerfile`` on ``base`` (with ``runtime_home`` as runtime/ in its context)."""
    existing = existing_image(client, name)
    if existing is not None and (build == "never" or (build == "auto" and existing.labels.get(HASH_LABEL) == label)):
        return
    progress(f"building {name} from {source}")
    with tempfile.TemporaryFile() as context:
        with tarfile.open(fileobj=context, mode="w") as tar:
            data = dockerfile.encode()
            info = tarfile.TarInfo("Dockerfile")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            if runtime_home is not None:
                tar.add(runtime_home, arcname="runtime")
        context.seek(0)
        spec = ImageSpec(language, "Dockerfile", (), "", (), name)
        _stream_build(client, spec, context, {"BASE": base}, {IMAGE_LABEL: f"base-{language}", HASH_LABEL: label})


def _default_base(spec: ImageSpec, argument: str) -> str:
    """The base a Dockerfile names by default (``ARG LAB_PYTHON_BASE=python:3.13-slim``)."""
    match = re.search(rf"^ARG {argument}=(\S+)", (REPO / spec.dockerfile).read_text(), re.MULTILINE)
    return match.group(1) if match else ""


def _runtime_base(client, language, tag, home: Path, executable, plain: str, build: str, progress) -> str:
    """Build (or keep) the base image holding this machine's runtime; its name."""
    name = f"{IMAGE_PREFIX}base-{language}:{tag}"
    inside = f"{RUNTIMES_INSIDE}/{language}{tag}"
    dockerfile = RUNTIME_BASE_DOCKERFILE.format(home=inside, executable=executable, command=CONTAINER_RUNTIMES[language],
                                                version_flag=_version_flag(language))
    plain_image = existing_image(client, plain)
    digest = hashlib.sha256(f"{dockerfile}\0{plain_image.id if plain_image else plain}".encode())
    for path in sorted(home.rglob("*")):
        stat = path.lstat()
        digest.update(f"{path.relative_to(home)}\0{stat.st_size}\0{int(stat.st_mtime)}\0".encode())
    _keep_or_build(client, language, name, dockerfile, plain, digest.hexdigest()[:16], build, progress, str(home), home)
    return name


def link_outside(home: Path) -> str:
    """A symbolic link near the top of a runtime's installation that points outside it (Debian's
    JDKs keep their configuration in /etc), as "conf -> /etc/...", or "". A runtime installed into
    the system's own folders is no installation of its own either. Either cannot go into an image."""
    if str(home) in ("/", "/usr", "/usr/local"):
        return f"installed into {home} with the system's libraries"
    for folder in [home, *(entry for entry in home.iterdir() if entry.is_dir() and not entry.is_symlink())]:
        for entry in folder.iterdir():
            if entry.is_symlink():
                target = (entry.parent / os.readlink(entry)).resolve()
                if home not in target.parents and target != home:
                    return f"{entry.relative_to(home)} -> {target}"
    return ""


def base_args(client, spec: ImageSpec, bases: dict) -> dict:
    """Build arguments: explicit ones, else a local base where the engine has one, else the default."""
    found = {**local_bases(client), **bases}
    return {argument: found[argument] for argument in spec.bases if argument in found}


def base_ids(client, args: dict) -> dict:
    """The id of every base image present, so that a rebuilt base makes its images out of date."""
    found = {}
    for argument, name in args.items():
        image = existing_image(client, name)
        found[argument] = image.id if image is not None else name
    return found


def build_image(client, spec: ImageSpec, context: bytes, digest: str, args: dict):
    """Build ``spec`` from ``context`` (a tar); the SDK image, or ImageBuildFailed with the log's tail."""
    return _stream_build(client, spec, io.BytesIO(context), args, {IMAGE_LABEL: spec.language, HASH_LABEL: digest})


def _stream_build(client, spec: ImageSpec, context, args: dict, labels: dict):
    """Build from a tar context file object; the SDK image, or ImageBuildFailed with the log's tail."""
    log = []
    stream = client.api.build(
        fileobj=context, custom_context=True, dockerfile=spec.dockerfile, tag=spec.tag,
        buildargs=args, labels=labels, rm=True, forcerm=True, decode=True,
    )
    for chunk in stream:
        log.extend(chunk.get("stream", "").splitlines())
        if "error" in chunk:
            log.append(chunk["error"].strip())
            raise ImageBuildFailed(_build_failure(spec, args, log))
    image = existing_image(client, spec.tag)
    if image is None:
        raise ImageBuildFailed(_build_failure(spec, args, log))
    return image


class Image:
    """A language image ready to run: the SDK image, its build arguments, its shell."""

    def __init__(self, spec: ImageSpec, image, args: dict, built: bool, current: bool):
        self.spec, self.image, self.args, self.built, self.current = spec, image, args, built, current
        self.shell = "/bin/sh"
        # A container inherits its image's labels. Compose labels the images it builds with its
        # project, and `docker compose up` then follows every container that carries them: blank
        # them, so the measured containers are nobody's service.
        self.neutral_labels = {key: "" for key in image.labels if key.startswith("com.docker.compose.")}

    def describe(self) -> dict:
        attrs = self.image.attrs
        return {
            "tag": self.spec.tag, "id": self.image.id, "size_bytes": attrs.get("Size"),
            "created": attrs.get("Created"), "bases": self.args or "the Dockerfile's defaults",
            "context_hash": self.image.labels.get(HASH_LABEL, "unknown (built outside the harness)"),
            "built_now": self.built, "up_to_date": self.current,
        }


def named(client, language: str, name: str) -> Image | None:
    """A suite's own image for a command program, as the engine has it (never pulled), or None."""
    found = existing_image(client, name)
    return None if found is None else Image(ImageSpec(language, "", (), "", (), name), found, {}, built=False, current=True)


def existing_image(client, name: str):
    """The image called ``name``, or None."""
    import docker.errors

    try:
        return client.images.get(name)
    except docker.errors.ImageNotFound:
        return None


def local_bases(client) -> dict:
    """Build argument -> local base image, for the local bases this engine has."""
    names = {argument: f"{IMAGE_PREFIX}{local}:{BASE_TAG}" for argument, local in LOCAL_BASES.items()}
    return {argument: name for argument, name in names.items() if existing_image(client, name) is not None}


def build_context(spec: ImageSpec, base_ids: dict) -> tuple[bytes, str]:
    """A tar of exactly what the image is built from, and a hash of it and the bases' ids."""
    digest = hashlib.sha256(json.dumps(sorted(base_ids.items())).encode())
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for relative in _context_files(spec):
            path = REPO / relative
            data = path.read_bytes()
            executable = os.access(path, os.X_OK)
            digest.update(f"{relative}\0{int(executable)}\0{len(data)}\0".encode() + data)
            info = tarfile.TarInfo(relative)
            info.size, info.mode, info.mtime = len(data), 0o755 if executable else 0o644, int(path.stat().st_mtime)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue(), digest.hexdigest()[:16]


def _context_files(spec: ImageSpec) -> list:
    files = [spec.dockerfile]
    for source in spec.sources:
        paths = [REPO / source] if (REPO / source).is_file() else sorted((REPO / source).rglob("*"))
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files.append(path.relative_to(REPO).as_posix())
    return sorted(set(files))


def _build_failure(spec: ImageSpec, args: dict, log: list) -> str:
    tail = "\n".join(line for line in log if line.strip())
    tail = "\n".join(tail.splitlines()[-20:])
    hint = ""
    if re.search(r"pull access denied|manifest unknown|dial tcp|lookup .*registry|TLS handshake|no such host", tail):
        hint = "\nno base image here and none can be pulled: build local bases with scripts/build-base-images.sh"
    bases = ", ".join(f"{k}={v}" for k, v in args.items()) or "the Dockerfile's defaults"
    return f"building {spec.tag} from {spec.dockerfile} (bases: {bases}) failed:\n{tail}{hint}"
