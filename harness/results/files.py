"""Writing a file so that nothing is lost: a temporary name in the same folder, then a rename.

A reader sees the old file or the new one, never half of either; a write that fails (a full
disk, a read-only mount, no permission) removes its temporary file and ends as a StoreError
naming the path.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from harness.errors import StoreError

# What the user can fix: say so in one line rather than with a traceback.
ADVICE = {
    errno.ENOSPC: "the disk is full; free some space",
    errno.EDQUOT: "the disk quota is used up; free some space",
    errno.EROFS: "the filesystem is read-only; choose a writable --out",
    errno.EACCES: "permission denied; choose a writable --out",
    errno.EPERM: "permission denied; choose a writable --out",
}


def write_atomically(path: Path, data: str | bytes, durable: bool = False) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` through a temporary file beside it, then rename.

    The folder must exist (a run folder that vanished is an error, not something to make again).
    ``durable`` also syncs the data to disk before the rename, for a file that must survive a crash
    (results.json); reports can be rendered again. Returns ``path``.
    """
    path = Path(path)
    content = data.encode("utf-8") if isinstance(data, str) else data
    temporary = None
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        temporary = Path(name)
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            if durable:
                file.flush()
                os.fsync(file.fileno())  # the rename must never expose a file whose data is not on disk
        os.chmod(temporary, 0o666 & ~UMASK)  # mkstemp makes 0600; a report is as readable as any file
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        raise StoreError(f"cannot write {path}: {explain(error)}") from None
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    return path


def explain(error: OSError) -> str:
    """The OS's reason, and what to do where the user can do something."""
    reason = error.strerror or str(error)
    advice = ADVICE.get(error.errno or 0)
    return f"{reason} ({advice})" if advice else reason


# The same faults in the lab's cache (runtimes, builds, compiled classes, the load generator).
CACHE_ADVICE = {
    errno.ENOSPC: "the disk is full; free some space",
    errno.EDQUOT: "the disk quota is used up; free some space",
    errno.EROFS: "the filesystem is read-only; set XDG_CACHE_HOME to a writable folder",
    errno.EACCES: "permission denied; set XDG_CACHE_HOME to a writable folder",
    errno.EPERM: "permission denied; set XDG_CACHE_HOME to a writable folder",
}


def cache_problem(path: Path, error: OSError) -> str:
    """``cannot write PATH: reason (what to do)`` for a write into the lab's cache that failed."""
    reason = error.strerror or str(error)
    advice = CACHE_ADVICE.get(error.errno or 0)
    return f"cannot write {path}: {reason}" + (f" ({advice})" if advice else "")


def no_room(folder: Path) -> str | None:
    """Why nothing more can be written under ``folder`` (a full or read-only filesystem), or None.

    A build that failed is the program's failure, unless the disk was the cause: then it is the
    machine's, and every later build would fail alike.
    """
    try:
        found = os.statvfs(folder)
    except OSError:
        return None
    if found.f_flag & os.ST_RDONLY:
        return CACHE_ADVICE[errno.EROFS]
    if found.f_bavail * found.f_frsize < 1 << 20:  # under 1 MiB left: no compiler gets far
        return CACHE_ADVICE[errno.ENOSPC]
    return None


def _umask() -> int:
    """The process's umask (read by setting it and putting it back: done once, at import, before any thread)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


UMASK = _umask()
