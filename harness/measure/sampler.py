"""Sample a running process tree: summed RSS, threads and processes, every few milliseconds.

Children are re-enumerated at every sample (from the run's cgroup when there is one, else by
walking the tree), so a child that lives for a moment is still counted if a sample sees it.
Each process's RSS and thread count come from one read of ``/proc/<pid>/stat``.

Two further readings make the row's headline peak memory (see ``peak_memory``):
- the root's ``VmHWM`` (``/proc/<pid>/status``): the kernel's own high-water mark of the program's
  resident memory since its exec, so a spike between two samples is not missed;
- for a tree of several processes, its proportional set size (``Pss`` in
  ``/proc/<pid>/smaps_rollup``): a page shared by k processes counts 1/k in each, so the pages
  that forked workers share with their parent count once, not once per process (``_PssFollower``).

The sampler runs beside the program, on the same cores, so what it costs is taken from the program:
files it reads at every sample stay open and are read again with ``pread`` (reopening one costs
about 10 µs, a ``pread`` 1-4 µs), and ``smaps_rollup``, which makes the kernel walk every page
table of a process (0.2-0.5 ms each), is read only as often as ``_PssFollower`` needs. Those costs
are of a warm loop: after 10 ms asleep each system call costs 10-40 µs on the 2-core VM (a whole
sample of a 3-process tree 0.15-0.2 ms, the wake itself 40 µs), so the number of wakes is what counts.

The interval widens as a run goes on (``interval_at``): the exact figures do not depend on it, and
a long run would otherwise pay for thousands of samples it does not need. It also widens while the
tree is *calm*: one process, above the resident size it inherited at exec (``exact_above``), whose
thread count has not changed, and no process or thread started anywhere since the last sample
(``calm_interval``). Its headline peak is then ``ru_maxrss``, exact whenever sampled or not (see
measure/peaks.py), and only its sampled RSS and threads get coarser. A JVM that keeps both
cores busy is where each wake costs most: javac's 20 threads made 90 wakes of 85 µs in 0.95 s, the
harness's 12 ms of CPU taken from a program that had none to spare (scripts/overhead-benchmark.py
measured javac 1.5 % slower through the lab). Anything new (a thread, a process, another process
on the machine) brings the interval back to ``interval_at`` at once. A run whose thread or process
count decides its status (a parallel variant, analyse/verify.py) is never calm: PyPy's two threads
of a short cpu_scaling run lived less than one calm interval and went unseen.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time

import psutil

PAGE = os.sysconf("SC_PAGE_SIZE")
DEFAULT_INTERVAL_S = 0.01  # 5 ms cost a short two-process run on 2 cores ~3 % (scripts/overhead-benchmark.py)
HWM_EVERY = 4  # the root's VmHWM every 4th sample (its RSS, a lower bound, at every one)
ANON_EVERY = 4  # a single process's cgroup: its anonymous memory every 4th sample
PSS_EVERY = 4  # without a cgroup: a tree's proportional set sizes every 4th sample (and on every new RSS high)
PSS_REFRESH_EVERY = 20  # with one: one process's file pages' share every 20th sample (see _PssFollower), ...
PSS_SHARE = 0.005  # ... spending at most 0.5 % of the time on them (a reading of 0.3 ms: none in the next 60 ms)
MANY_THREADS = 64
SLOWEST_INTERVAL_S = 0.05  # the widest the interval gets, after a few seconds
CALM_AFTER = 4  # calm samples in a row before the interval widens: doubling every 2 more, up to SLOWEST_INTERVAL_S
READ_SIZE = 16384  # more than any /proc/<pid>/stat, status or memory.stat holds
GO, STOP = b"g", b"s"  # what go() and stop() write to the sampler's thread


def interval_at(base_s: float, elapsed_s: float) -> float:
    """The sampling interval ``elapsed_s`` into a run: ``base_s`` for the first second, then wider
    in proportion to the time run so far (about 100 samples a second at first, 20 at the slowest).

    (A sparser start, at half the time run so far, missed a short Python program's RSS peak by 9 %
    against GNU time's %M in CI, so the start is sampled at ``base_s`` like the rest of the first second.)
    """
    return min(max(base_s, base_s * elapsed_s), max(base_s, SLOWEST_INTERVAL_S))


def calm_interval(base_s: float, elapsed_s: float, calm: int) -> float:
    """The sampling interval after ``calm`` calm samples in a row (see the module's docstring):
    ``interval_at`` until CALM_AFTER of them, then twice the base, doubling every two more samples,
    never beyond SLOWEST_INTERVAL_S and never below ``interval_at``."""
    usual = interval_at(base_s, elapsed_s)
    if calm < CALM_AFTER:
        return usual
    return max(usual, min(SLOWEST_INTERVAL_S, base_s * 2 ** ((calm - CALM_AFTER) // 2 + 1)))


class TreeSampler:
    """A background thread that records the peak summed RSS and threads of a process tree."""

    def __init__(self, root_pid: int, interval_s: float = DEFAULT_INTERVAL_S, cgroup=None, gate: bytes = b""):
        self.root_pid = root_pid
        self.interval_s = interval_s
        self.cgroup = cgroup
        self.peak_rss_bytes = 0
        self.peak_anon_bytes = 0
        self.peak_threads = 0
        self.peak_processes = 0
        self.peak_hwm_bytes = 0  # the root's VmHWM: its own resident high-water mark since exec
        # While the root is still the start gate (its command line begins with ``gate``), its VmHWM
        # is the gate's, not the program's: it counts only once the program has replaced it.
        self.gate, self.exec_seen = gate, not gate
        self.peak_pss_bytes = 0  # the tree's summed proportional set size, read while it has several processes
        self.samples = 0
        self.last_pids = [root_pid]
        # A run's own cgroup (one with a memory directory) is read directly; anything else shaped
        # like one (a container's cgroup seen from the host) through its pids() and anon_bytes().
        memory_dir = getattr(cgroup, "memory_dir", None)
        self._procs = os.path.join(memory_dir, "cgroup.procs") if memory_dir else None
        self._anon = _AnonCounter.open(memory_dir) if memory_dir else None
        self._pss = _PssFollower()
        self._stat, self._status = _OpenFiles("stat"), _OpenFiles("status")
        self._newest = _NewestPid()
        self._hwm_read = False
        self.calm = 0  # calm samples in a row: one process, its thread count unchanged, nothing started
        self._relisted = True  # the last _pids() saw a process or thread start somewhere (or could not tell)
        self._threads_before = -1
        # The resident size above which the root's ru_maxrss is its own (measure/peaks.py); None: never calm.
        self.exact_above: int | None = None
        self._listed: list[int] = []  # the tree's processes at the last listing, while none of them has ended
        self._lock = threading.Lock()  # a server's window samples from the main thread too
        # The thread sleeps in poll() on this pipe (go, stop): about half the CPU of a threading.Event's
        # timed wait (50-70 µs a wake here). It does not wake on the root's exit: the main thread does,
        # and stops it once the program's clock and harness_cpu_s have stopped.
        self._wake_read, self._wake_write = os.pipe()
        self._stopped = False
        self._sampled = False  # a sample was taken before go(): the thread's first is an interval later
        self._began = 0.0
        self._thread = threading.Thread(target=self._loop, name="tree-sampler", daemon=True)

    def start(self, paused: bool = False) -> TreeSampler:
        """Begin sampling now, or with ``paused`` once ``go()`` is called (the thread is ready then,
        so that starting it is not part of the measured run)."""
        self._thread.start()
        if not paused:
            self.go()
        return self

    def go(self) -> None:
        """Start sampling a sampler started paused: at once, unless a sample was taken while paused
        (the start gate's, taken before the program may exec: then one interval later)."""
        self._began = time.perf_counter()
        os.write(self._wake_write, GO)

    def stop(self) -> None:
        """Stop sampling, wait for the thread and close the files it kept open."""
        if self._stopped:
            return
        self._stopped = True
        os.write(self._wake_write, STOP)
        self._thread.join()
        os.close(self._wake_read)
        os.close(self._wake_write)
        with self._lock:
            self._stat.close()
            self._status.close()
            self._newest.close()
            if self._anon:
                self._anon.close()
                self._anon = None

    def reset(self) -> None:
        """Forget the peaks so far: a measurement window starts now."""
        self.peak_rss_bytes = self.peak_anon_bytes = self.peak_threads = self.peak_processes = 0
        self.sample()

    def _loop(self) -> None:
        if os.read(self._wake_read, 1) == STOP:
            return
        waker = select.poll()
        waker.register(self._wake_read, select.POLLIN)
        if not self._sampled:
            self.sample()
        while not waker.poll(1000 * calm_interval(self.interval_s, time.perf_counter() - self._began, self.calm)):
            self.sample()

    def sample(self) -> None:
        """Read every process of the tree once and update the peaks."""
        with self._lock:
            self._sample()

    def _sample(self) -> None:
        self._sampled = True
        rss = threads = processes = root_rss = 0
        pids = self._pids()
        if pids:
            self.last_pids = pids
        for pid in pids:
            stat = _parse_stat(self._stat.read(pid))
            if stat is None:
                self._listed = []  # one has ended: list them again at the next sample
                continue
            rss += stat[0]
            threads += stat[1]
            processes += 1
            if pid == self.root_pid:
                root_rss = stat[0]
        self._stat.keep_only(pids)
        sparse = self.calm >= CALM_AFTER  # samples are spaced out: read every figure at each of them
        # The cgroup's anonymous memory: at every sample of a tree (its PSS follows it), else every few.
        wanted = processes > 1 or sparse or self.samples % ANON_EVERY == 0
        anon = self._anon.read() if self._anon and wanted else None
        if anon is not None:
            self.peak_anon_bytes = max(self.peak_anon_bytes, anon)
        if processes:
            self.samples += 1
            new_high = rss > self.peak_rss_bytes
            self.peak_rss_bytes = max(self.peak_rss_bytes, rss)
            self.peak_threads = max(self.peak_threads, threads)
            self.peak_processes = max(self.peak_processes, processes)
            if not self.exec_seen:
                self.exec_seen = _command_line(self.root_pid)[: len(self.gate)] not in (self.gate, b"")
            if self.exec_seen:
                # VmHWM is never below the RSS just read, and never falls: reading it every few samples
                # adds only what rose and fell between two samples, which it still holds then.
                self.peak_hwm_bytes = max(self.peak_hwm_bytes, root_rss)
                if self.samples % HWM_EVERY == 0 or not self._hwm_read or sparse:
                    self._hwm_read = True
                    hwm = _status_value(self._status.read(self.root_pid), b"VmHWM:") * 1024
                    self.peak_hwm_bytes = max(self.peak_hwm_bytes, hwm)
            # PSS <= RSS for every process: a tree whose RSS sum is not above the PSS peak cannot set a new one.
            if processes > 1 and rss > self.peak_pss_bytes:
                self._tree_pss(pids, rss, anon, new_high)
        steady = (processes == 1 and threads == self._threads_before and not self._relisted and self.exec_seen
                  and self.exact_above is not None and root_rss > self.exact_above)
        self.calm = self.calm + 1 if steady else 0
        self._threads_before = threads
        # memory.stat through the cgroup's own reader is the costliest read; its exact peak comes from the cgroup anyway.
        if self.cgroup is not None and self._anon is None and self.samples % ANON_EVERY == 1:
            self.peak_anon_bytes = max(self.peak_anon_bytes, self.cgroup.anon_bytes())

    def _tree_pss(self, pids: list[int], rss: int, anon: int | None, new_high: bool) -> None:
        """Update the tree's PSS peak: followed through the cgroup's anonymous memory where it is
        read (``_PssFollower``), else read every few samples and at every new RSS high."""
        if anon is not None and self._pss.usable:
            self.peak_pss_bytes = max(self.peak_pss_bytes, min(rss, self._pss.follow(pids, anon)))
        elif new_high or self.samples % PSS_EVERY == 0:
            self.peak_pss_bytes = max(self.peak_pss_bytes, sum(_pss(pid) for pid in pids))

    def _pids(self) -> list[int]:
        """The tree's processes: listed again only when a process may have started or ended since."""
        self._relisted = True  # a container's processes, listed at every sample: never calm
        if self.cgroup is not None and self._procs is None:
            return self.cgroup.pids()
        self._relisted = self._newest.changed() or not self._listed
        if self._relisted:
            self._listed = _cgroup_pids(self._procs) if self._procs is not None else _tree(self.root_pid)
        return self._listed


class _PssFollower:
    """The tree's summed PSS at every sample, for the cost of a few readings of ``smaps_rollup``.

    Every anonymous page of the tree is charged to the run's cgroup and counts exactly once in the
    tree's PSS (a page shared by k of its processes counts 1/k in each), so the anonymous part of
    the tree's PSS is the cgroup's anonymous memory, read at every sample. The rest (``Pss`` minus
    ``Pss_Anon``: each process's share of file pages, the interpreter's and libraries') is small and
    moves slowly, so each process's is carried from its last reading of ``smaps_rollup``, and a
    process not read yet is given the mean of those read (workers are forks of one program) until
    it is. A reading is of one process: one never read, as soon as there is one, else the one read
    longest ago every PSS_REFRESH_EVERY samples; at most PSS_SHARE of the time goes to reading
    (one of 0.3 ms: none in the next 60 ms). At 2 % a 0.1 s compileall -j2 spent 1 ms of its 4 ms of
    harness CPU on three readings; at 0.5 % it reads one or two, and its figure stays within 1-3 %
    of the whole tree's smaps_rollup read at the same samples, as before. A kernel without ``Pss_Anon``
    (before 5.10) makes it ``usable`` no more: the sampler then reads the whole PSS itself.
    """

    def __init__(self) -> None:
        self.usable = True
        self.files: dict[int, int] = {}  # pid -> its PSS beyond its anonymous pages, at its last reading
        self.since = 0  # samples since the last reading
        self.not_before = 0.0  # no reading before this perf_counter time

    def follow(self, pids: list[int], anon: int) -> int:
        """The tree's summed PSS now: the cgroup's anonymous memory ``anon`` plus the file shares."""
        now = time.perf_counter()
        self.since += 1
        unread = any(pid not in self.files for pid in pids)
        if not self.files or ((unread or self.since >= PSS_REFRESH_EVERY) and now >= self.not_before):
            order = {pid: index for index, pid in enumerate(self.files)}  # read longest ago first
            self._read(min(pids, key=lambda pid: order.get(pid, -1)))
            self.since = 0
            self.not_before = now + (time.perf_counter() - now) / PSS_SHARE
        if not self.files:
            return 0  # the process read had gone
        typical = sum(self.files.values()) // len(self.files)
        return anon + sum(self.files.get(pid, typical) for pid in pids)

    def _read(self, pid: int) -> None:
        """Read one process's file share (it goes to the end of ``files``: read most recently)."""
        text = _read_text(f"/proc/{pid}/smaps_rollup")
        self.files.pop(pid, None)
        if not text:
            return
        if b"\nPss_Anon:" not in text:
            self.usable = False
            return
        self.files[pid] = 1024 * (_status_value(text, b"Pss:") - _status_value(text, b"Pss_Anon:"))


class _OpenFiles:
    """One ``/proc/<pid>/<name>`` file a process, kept open and read again from its start with pread."""

    def __init__(self, name: str):
        self.name = name
        self.fds: dict[int, int] = {}

    def read(self, pid: int) -> bytes:
        """The file's text now, or b"" once the process has gone."""
        fd = self.fds.get(pid)
        if fd is not None:
            with contextlib.suppress(OSError):
                text = os.pread(fd, READ_SIZE, 0)
                if text:
                    return text
            self.forget(pid)  # gone, or the pid now names another process: open it afresh
        try:
            fd = os.open(f"/proc/{pid}/{self.name}", os.O_RDONLY)
        except OSError:
            return b""
        self.fds[pid] = fd
        try:
            return os.pread(fd, READ_SIZE, 0)
        except OSError:
            return b""

    def keep_only(self, pids: list[int]) -> None:
        """Close the files of processes not in ``pids``."""
        if len(self.fds) > len(pids) or not self.fds.keys() <= set(pids):
            for pid in self.fds.keys() - set(pids):
                self.forget(pid)

    def forget(self, pid: int) -> None:
        """Close one process's file."""
        fd = self.fds.pop(pid, None)
        if fd is not None:
            os.close(fd)

    def close(self) -> None:
        """Close them all."""
        self.keep_only([])


class _AnonCounter:
    """A cgroup's anonymous memory now, from its ``memory.stat`` kept open: the ``anon`` line where
    there is one, else ``rss`` (the same count, under the name cgroup v1 gives it)."""

    def __init__(self, fd: int, key: bytes):
        self.fd, self.key = fd, key

    @classmethod
    def open(cls, memory_dir) -> _AnonCounter | None:
        """The counter of the cgroup in ``memory_dir``, or None where its memory.stat cannot be read."""
        try:
            fd = os.open(os.path.join(memory_dir, "memory.stat"), os.O_RDONLY)
        except OSError:
            return None
        text = b"\n" + os.pread(fd, READ_SIZE, 0)
        return cls(fd, b"\nanon " if b"\nanon " in text else b"\nrss ")

    def read(self) -> int:
        """The anonymous bytes charged now (0 once the cgroup has gone)."""
        try:
            text = b"\n" + os.pread(self.fd, READ_SIZE, 0)
        except OSError:
            return 0
        start = text.find(self.key)
        return int(text[start + len(self.key) :].split(None, 1)[0]) if start >= 0 else 0

    def close(self) -> None:
        """Close memory.stat."""
        os.close(self.fd)


class _NewestPid:
    """Whether a process or thread has started anywhere since the last look: the newest pid handed
    out (the last field of ``/proc/loadavg``) changes with every one. Listing a tree's processes
    (a cgroup's cgroup.procs: 10-50 µs) is needed only then, or when one of them has ended."""

    def __init__(self) -> None:
        self.last = b""
        try:
            self.fd: int | None = os.open("/proc/loadavg", os.O_RDONLY)
        except OSError:
            self.fd = None

    def changed(self) -> bool:
        """True if a pid was handed out since the last call (always, where it cannot be read)."""
        if self.fd is None:
            return True
        try:
            newest = os.pread(self.fd, 128, 0).rsplit(None, 1)[-1]
        except (OSError, IndexError):
            return True
        changed, self.last = newest != self.last, newest
        return changed

    def close(self) -> None:
        """Close /proc/loadavg."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _cgroup_pids(path: str) -> list[int]:
    """The processes in a cgroup now. cgroup.procs is opened afresh each time: on cgroup v1 a file
    read again from its start keeps listing the processes of its first read."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return []
    try:
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    except OSError:
        return []
    finally:
        os.close(fd)
    return [int(pid) for pid in b"".join(chunks).split()]


def _tree(root_pid: int) -> list[int]:
    """The root and its descendants from /proc/<pid>/task/<tid>/children (a whole /proc scan
    through psutil costs ~20 times more, so it is used only for processes with many threads)."""
    found, pending = [], [root_pid]
    while pending:
        pid = pending.pop()
        found.append(pid)
        children = children_of(pid)
        if children is None:
            return _tree_by_scan(root_pid)
        pending.extend(children)
    return found


def children_of(pid) -> list | None:
    """The direct children of ``pid`` ("self" for this process) from each thread's children file;
    None when it has over MANY_THREADS threads (reading them all would cost more than a scan)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    if len(tasks) > MANY_THREADS:
        return None
    children: list[int] = []
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as handle:
                children.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return children


def _tree_by_scan(root_pid: int) -> list[int]:
    try:
        return [root_pid] + [child.pid for child in psutil.Process(root_pid).children(recursive=True)]
    except psutil.Error:
        return []


class Window:
    """A server's measurement window over its sampled tree: CPU and context switches between the
    start and the end, and the peaks (RSS, threads, processes, and the cgroup's where it could be
    reset) reached in between. ``cgroup``: anything with reset_peak() and peak_bytes(), or None."""

    def __init__(self, sampler: TreeSampler, cgroup=None):
        self.sampler, self.cgroup = sampler, cgroup
        sampler.reset()
        self.peak_exact = bool(cgroup and cgroup.reset_peak())
        self.cpu_before = _cgroup_cpu(cgroup)
        self.started, self.before = time.perf_counter(), tree_counters(sampler.last_pids)

    def end(self) -> dict:
        """The window's figures, in the keys Lifecycle puts in place of the whole life's."""
        self.sampler.sample()
        after = tree_counters(self.sampler.last_pids)
        figures = {name: after[name] - self.before.get(name, 0) for name in after}
        figures.update(
            window_s=time.perf_counter() - self.started,
            rss_sampled_peak_bytes=self.sampler.peak_rss_bytes,
            threads_peak=self.sampler.peak_threads,
            processes_peak=self.sampler.peak_processes,
            cgroup_peak_bytes=self.cgroup.peak_bytes() if self.peak_exact else None,
        )
        # The cgroup's counter covers processes and threads that ended inside the window; /proc does not.
        cpu_after = _cgroup_cpu(self.cgroup)
        figures["cgroup_cpu_s"] = cpu_after - self.cpu_before if None not in (cpu_after, self.cpu_before) else None
        return figures


def _cgroup_cpu(cgroup):
    """The cgroup's CPU seconds so far, or None without a readable cgroup."""
    try:
        return cgroup.cpu_s() if cgroup is not None else None
    except (OSError, ValueError, AttributeError):
        return None


def tree_counters(pids) -> dict:
    """CPU seconds (user, system) and context switches summed over ``pids``, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals = {"cpu_user_s": 0.0, "cpu_sys_s": 0.0, "ctx_voluntary": 0, "ctx_involuntary": 0}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{pid}/status", "rb") as handle:
                status = handle.read().decode()
        except OSError:
            continue
        totals["cpu_user_s"] += int(fields[11]) / ticks  # utime, field 14
        totals["cpu_sys_s"] += int(fields[12]) / ticks  # stime, field 15
        for line in status.splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                totals["ctx_voluntary"] += int(line.split()[1])
            elif line.startswith("nonvoluntary_ctxt_switches:"):
                totals["ctx_involuntary"] += int(line.split()[1])
    return totals


def _command_line(pid: int) -> bytes:
    """The raw ``/proc/<pid>/cmdline`` (arguments separated by NULs), or b"" once it has gone."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def high_water_mark(pid: int | str) -> int:
    """``VmHWM`` of one process (``"self"`` for this one) in bytes, 0 once it has gone: its resident
    high-water mark since exec."""
    return _status_kib(f"/proc/{pid}/status", b"VmHWM:") * 1024


def _pss(pid: int) -> int:
    """The proportional set size of one process in bytes (0 once it has gone)."""
    return _status_kib(f"/proc/{pid}/smaps_rollup", b"Pss:") * 1024


def _status_kib(path: str, key: bytes) -> int:
    """The ``key:  N kB`` line's N from a /proc file, or 0 when the file or the line is missing."""
    return _status_value(_read_text(path), key)


def _read_text(path: str) -> bytes:
    """A /proc file's whole text, or b"" once its process has gone."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _status_value(text: bytes, key: bytes) -> int:
    """The ``key:  N kB`` line's N in the text of a /proc file (not its first line), or 0 without it."""
    start = text.find(b"\n" + key)
    if start < 0:
        return 0
    return int(text[start + len(key) + 1 :].split(None, 1)[0])


def _read_stat(pid: int):
    """(rss bytes, threads) of one process, or None once it has gone or is a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return _parse_stat(handle.read())
    except OSError:
        return None


def _parse_stat(text: bytes):
    """(rss bytes, threads) from the text of a /proc/<pid>/stat, or None for a zombie or no text."""
    fields = text[text.rfind(b")") + 2 :].split(None, 22)  # the 30 fields after rss are not needed
    if not fields or fields[0] == b"Z":
        return None
    # After the command name: field 3 is state, so num_threads (20) is index 17, rss (24) index 21.
    return int(fields[21]) * PAGE, int(fields[17])
