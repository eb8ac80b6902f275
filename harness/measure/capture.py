"""A child's stdout or stderr, read through a pipe as it arrives and kept within bounds.

Output goes through a pipe to a reader thread in the harness, not into a file: no file grows
however much a program prints, and no page cache of its output is charged to the program's
cgroup (a file written by the program is, and would inflate its peak memory). The first and the
last KEEP bytes are kept and the rest is counted and dropped; the last line, where the lab's
JSON result is, is in the tail. A command program whose output is its answer keeps all of it,
up to a larger bound.
"""

from __future__ import annotations

import os
import threading

KEEP = 64 * 1024  # bytes kept at each end of an output
KEEP_WHOLE = 64 * 1024 * 1024  # a command program's whole output, for its checksum
READ = 64 * 1024


class Capture:
    """One pipe and its reader thread: ``write_fd`` goes to the child, the text stays here."""

    def __init__(self, whole: bool = False):
        self.read_fd: int | None
        self.write_fd: int | None
        self.read_fd, self.write_fd = os.pipe()
        self.limit = KEEP_WHOLE if whole else KEEP  # for a whole output: the most kept before dropping
        self.head, self.tail = bytearray(), bytearray()
        self.dropped = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._drain, name="output-capture", daemon=True)

    def started(self) -> Capture:
        """The child has the write end: close ours (so EOF comes when the child's side closes) and read."""
        write_fd, self.write_fd = self.write_fd, None
        if write_fd is not None:
            os.close(write_fd)
        self._thread.start()
        return self

    def abandon(self) -> None:
        """Give up on the output: read to its end if reading had started, else close both ends."""
        if self._thread.is_alive():
            self.finish()
            return
        for fd in (self.read_fd, self.write_fd):
            if fd is not None:
                os.close(fd)
        self.read_fd = self.write_fd = None

    def _drain(self) -> None:
        read_fd = self.read_fd  # the thread starts only with a read end (started); finish closes it after
        assert read_fd is not None
        while chunk := os.read(read_fd, READ):
            with self._lock:
                room = self.limit - len(self.head)
                if room > 0:
                    self.head += chunk[:room]
                    chunk = chunk[room:]
                if chunk:
                    self.tail += chunk
                    if len(self.tail) > KEEP:
                        self.dropped += len(self.tail) - KEEP
                        del self.tail[:-KEEP]

    def finish(self, timeout_s: float = 5.0) -> None:
        """Wait for EOF (every writer gone), then close the read end."""
        self._thread.join(timeout_s)
        if not self._thread.is_alive() and self.read_fd is not None:
            os.close(self.read_fd)
            self.read_fd = None

    def text(self) -> str:
        """What was kept, with a line saying how much was dropped from the middle."""
        with self._lock:
            head, tail, dropped = bytes(self.head), bytes(self.tail), self.dropped
        middle = f"\n[... {dropped:,} bytes of output not kept ...]\n".encode() if dropped else b""
        return (head + middle + tail).decode("utf-8", errors="replace")

    def tail_text(self, size: int = KEEP) -> str:
        """The last ``size`` bytes kept."""
        with self._lock:
            kept = bytes(self.head + self.tail) if not self.dropped else bytes(self.tail)
        return kept[-size:].decode("utf-8", errors="replace")
