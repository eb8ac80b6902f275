"""The Runtime Lab program protocol, for Python workloads.

Every workload reads ``key=value`` arguments, times its measured region
(optionally several times in one process: the first time is the cold run),
and prints one JSON line as the last line on stdout:

    {"checksum": "...", "work_s": [0.12, 0.10], "ops": 1000, "metrics": {...}}

Diagnostics go to stderr. Mirrors ``java/src/lab/Kit.java`` and ``node/labkit.js``.
"""

import json
import os
import sys
import time

# Modules only some programs need (asyncio, resource) are imported inside the helpers that use
# them: every program imports this kit, and a memory workload should not pay for them.


class BadArgument(SystemExit):
    """A command-line argument the program cannot use; exits with status 2."""

    def __init__(self, message):
        print(f"error: {message}", file=sys.stderr)
        super().__init__(2)


def parse_args(defaults, argv=None):
    """Return ``defaults`` updated from ``key=value`` arguments, typed like the defaults."""
    values = dict(defaults)
    for arg in sys.argv[1:] if argv is None else argv:
        key, sep, raw = arg.partition("=")
        if not sep or key not in defaults:
            raise BadArgument(f"unknown argument {arg!r}; expected key=value with key in {sorted(defaults)}")
        values[key] = _convert(key, raw, defaults[key])
    return values


def _convert(key, raw, default):
    if isinstance(default, str):
        return raw
    try:
        return type(default)(raw)
    except ValueError:
        raise BadArgument(f"{key}={raw!r} is not a {type(default).__name__}") from None


def not_available(why):
    """Exits with status 3 and ``not available: <why>`` on stderr: this variant cannot run here
    (a missing optional package, say), which the harness records as a skip, not a failure."""
    print(f"not available: {why}", file=sys.stderr)
    raise SystemExit(3)


def measure(region, iterations, after=None):
    """Run ``region()`` ``iterations`` times; return (seconds per run, last result).

    ``after()``, if given, runs after each timed iteration, outside the timed region.
    """
    seconds = []
    result = None
    for _ in range(iterations):
        result = None  # free the previous run's result outside the timed region
        start = time.perf_counter()
        result = region()
        seconds.append(time.perf_counter() - start)
        if after:
            after()
    return seconds, result


def emit(checksum, work_s, ops, metrics=None):
    """Print the protocol's final JSON line. On a Python that can run without the GIL (3.13+),
    the metrics say whether it was enabled at the end: a free-threaded build re-enables it when a
    C extension that does not support free threading is imported, and such a row must show it."""
    metrics = dict(metrics or {})
    if hasattr(sys, "_is_gil_enabled"):
        metrics["gil_enabled"] = sys._is_gil_enabled()
    line = {"checksum": str(checksum), "work_s": work_s, "ops": ops, "metrics": metrics}
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def runtime_memory():
    """CPython's own view of its heap: allocated blocks (objects and buffers) now alive. Empty on
    an implementation without that count (PyPy): a metric, never the measurement itself."""
    if not hasattr(sys, "getallocatedblocks"):
        return {}
    return {"allocated_blocks": sys.getallocatedblocks()}


def settled_heap_in_use():
    """Bytes CPython's allocators hold for live objects, after a full collection; None where they
    cannot be read (a build without pymalloc, or a C library without mallinfo2).

    The counterpart of the JVM's and V8's heap in use: the bytes in pymalloc's allocated blocks
    (objects of up to 512 bytes, each rounded up to its 16-byte size class) plus the bytes the C
    library's malloc has handed out (larger blocks, such as a list's array of references).
    pymalloc takes its arenas straight from mmap, so the two do not overlap.
    """
    import gc

    gc.collect()
    small = _pymalloc_allocated_bytes()
    large = _malloc_in_use_bytes()
    return None if small is None or large is None else small + large


def _pymalloc_allocated_bytes():
    """The '# bytes in allocated blocks' line of sys._debugmallocstats(), which CPython writes
    to the C stderr: file descriptor 2 is pointed at a temporary file while it runs."""
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as report:
        os.dup2(report.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        report.seek(0)
        text = report.read().decode(errors="replace")
    for line in text.splitlines():
        if line.startswith("# bytes in allocated blocks"):
            return int(line.split("=")[1].replace(",", ""))
    return None


def _malloc_in_use_bytes():
    """glibc's mallinfo2(): bytes in use in malloc's heaps (uordblks) and in its mmap'd blocks
    (hblkhd)."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (AttributeError, OSError):
        return None
    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    return info.uordblks + info.hblkhd


def require_python(version, feature):
    """Skip (not available) on a Python below ``version`` (a tuple), naming the feature it needs:
    PyPy 7.3 speaks Python 3.9, and a program is never rewritten to suit it."""
    if sys.version_info < version:
        wanted = ".".join(map(str, version))
        not_available(f"needs Python {wanted} ({feature}); {sys.implementation.name} here is Python {sys.version.split()[0]}")


class GcRecorder:
    """Counts CPython's cycle-collector runs and their pauses through ``gc.callbacks``.

    An implementation without ``gc.callbacks`` (PyPy) reports no GC figures at all, never zeros."""

    def __init__(self):
        self.collections = 0
        self.collected = 0
        self.pause_s = 0.0
        self._started = None
        self.observed = False

    def __enter__(self):
        import gc

        self.observed = hasattr(gc, "callbacks")
        if self.observed:
            gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *exc):
        import gc

        if self.observed:
            gc.callbacks.remove(self._on_gc)

    def uncounted_collect(self):
        """``gc.collect()`` outside the measured region, not counted among its collections."""
        import gc

        if not self.observed:
            return gc.collect()
        gc.callbacks.remove(self._on_gc)
        try:
            return gc.collect()  # runs even while the collector is disabled
        finally:
            gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.pause_s += time.perf_counter() - self._started
            self.collections += 1
            self.collected += info.get("collected", 0)
            self._started = None

    def metrics(self):
        """GC figures in the lab's common metric names (none where they could not be observed)."""
        if not self.observed:
            return {}
        return {"gc_count": self.collections, "gc_pause_s": self.pause_s, "gc_collected": self.collected}


# Server programs ----------------------------------------------------------------------------


def ready(port):
    """Prints the line that tells the harness the server is listening, and on which port."""
    print(json.dumps({"ready": True, "port": port}), flush=True)


def listen_failed(host, port, error):
    """Exits 1 with a one-line error naming the address that could not be listened on."""
    reason = os.strerror(error.errno) if (error.errno or 0) > 0 else error
    sys.exit(f"error: cannot listen on {host}:{port}: {reason}")


def server_metrics(connections):
    """A server's final metrics: the runtime's memory view and the connections it accepted."""
    return {**runtime_memory(), "connections_total": connections}


def loop_factory(mode, missing="uvloop is not installed (pip install uvloop)"):
    """uvloop's event loop for the uvloop mode, asyncio's own (None) otherwise; without uvloop
    installed, exits through :func:`not_available` with ``missing`` as the reason."""
    if mode != "uvloop":
        return None
    try:
        import uvloop
    except ImportError:
        not_available(missing)
    return uvloop.new_event_loop


LISTEN_BACKLOG = 511  # the same listen backlog in every language: Node's default


class CountingServer:
    """Mixed into a socketserver threading server (a thread per connection): the lab's listen
    backlog, a count of accepted connections in ``counters.connections``, and quiet resets.
    A subclass names its request handler as ``handler``."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True  # connections still open at SIGTERM end with the process

    def __init__(self, address, counters):
        self.counters = counters
        super().__init__(address, self.handler)

    def process_request(self, request, client_address):
        self.counters.connections += 1  # only the accepting thread runs this
        super().process_request(request, client_address)

    def handle_error(self, request, client_address):
        if not isinstance(sys.exception(), ConnectionError):  # a reset by the peer is no error
            super().handle_error(request, client_address)


def serve_threaded(server_class, host, port, counters):
    """Listen with a CountingServer, print the ready line, and serve until SIGTERM."""
    import signal
    import threading

    try:
        server = server_class((host, port), counters)
    except OSError as error:
        listen_failed(host, port, error)
    # shutdown() waits for serve_forever() to return, so it cannot run on the serving thread.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    ready(server.server_address[1])
    server.serve_forever(poll_interval=0.1)  # how soon it notices shutdown(): the default is 0.5 s
    server.server_close()


async def abort_open(streams):
    """Aborts every open connection and waits for its handler to return (Python 3.13 has
    Server.abort_clients()). Handlers left waiting would be cancelled as the event loop closes,
    which Python 3.11 and 3.12 log as an error, one per connection. ``streams`` maps each open
    stream's writer to its handler task."""
    import asyncio

    for writer in streams:
        writer.transport.abort()
    if streams:
        await asyncio.wait(streams.values())


async def serve_until_term(server, streams, announce=None):
    """Announce the port (by default, print the ready line), serve until SIGTERM, then stop
    listening and abort open connections."""
    import asyncio
    import signal

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    (announce or ready)(server.sockets[0].getsockname()[1])
    await stop.wait()
    server.close()
    await abort_open(streams)


def serve_on_every_core(serve_one, host, port):
    """A server's multi-core mode: one worker process per CPU this process may run on, each
    listening on the same port with SO_REUSEPORT (the kernel spreads new connections over them),
    as Node's cluster module runs one worker per core. Prints the ready line once every worker
    listens; on SIGTERM stops them all and returns the sums of their (ops, connections).

    ``serve_one(host, port, announce)`` runs in each worker: it listens with reuse_port, calls
    ``announce(port)`` once listening, serves until SIGTERM and returns (ops, connections).
    """
    import multiprocessing
    import signal
    import socket

    # Bound but never listening: it holds the port (and learns it, for port 0) while the kernel
    # hands connections only to the workers' listening sockets.
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        holder.bind((host, port))
    except OSError as error:
        listen_failed(host, port, error)
    port = holder.getsockname()[1]
    # Blocked before the fork, so that a SIGTERM waits for sigwait() below; workers unblock it.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    context = multiprocessing.get_context("fork")
    workers = []
    for _ in range(len(os.sched_getaffinity(0))):
        ours, theirs = context.Pipe()
        process = context.Process(target=_core_worker, args=(serve_one, host, port, theirs), daemon=True)
        process.start()
        workers.append((process, ours))
    for process, pipe in workers:
        _expect(pipe, "listening", process)
    ready(port)
    signal.sigwait({signal.SIGTERM})
    totals = [0, 0]
    for process, pipe in workers:
        process.terminate()
        ops, connections = _expect(pipe, None, process)
        totals[0] += ops
        totals[1] += connections
        process.join()
    holder.close()
    return tuple(totals)


def _core_worker(serve_one, host, port, pipe):
    import signal

    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    pipe.send(serve_one(host, port, lambda _port: pipe.send("listening")))


def _expect(pipe, message, process):
    """The next message from a worker (checked against ``message`` if given); exits 1 if the
    worker ended without sending it."""
    try:
        received = pipe.recv()
    except EOFError:
        sys.exit(f"error: server worker {process.pid} ended early (exit code {process.exitcode})")
    if message is not None and received != message:
        sys.exit(f"error: server worker {process.pid} sent {received!r}, expected {message!r}")
    return received


# Thread limits ------------------------------------------------------------------------------


def started_thread_pool(workers):
    """A ThreadPoolExecutor whose ``workers`` threads are all running already.

    The executor starts a thread per task only while none is idle: tasks that wait for one
    another make it start all of them now, outside any measured region.
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(workers)
    everyone = threading.Barrier(workers)
    list(pool.map(lambda _: everyone.wait(), range(workers)))
    return pool


def thread_budget():
    """How many more threads the kernel and RLIMIT_NPROC let this process start, or None if
    no limit is known: the tightest of threads-max, pid_max and the soft RLIMIT_NPROC, less the
    threads already alive on the machine."""
    import resource

    limits = [_read_int("/proc/sys/kernel/threads-max"), _read_int("/proc/sys/kernel/pid_max")]
    soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    limits.append(None if soft == resource.RLIM_INFINITY else soft)
    known = [limit for limit in limits if limit is not None]
    return min(known) - _tasks_running() if known else None


def _tasks_running():
    """Threads alive on the whole machine (the 'running/total' field of /proc/loadavg)."""
    try:
        return int(_read_text("/proc/loadavg").split()[3].split("/")[1])
    except (OSError, IndexError, ValueError):
        return 0


def _read_int(path):
    """The first number in a /proc file, or None if it cannot be read."""
    try:
        return int(_read_text(path).split()[0])
    except (OSError, IndexError, ValueError):
        return None


def _read_text(path):
    # Plain open(), not pathlib: importing pathlib would add to every program's startup.
    with open(path) as file:
        return file.read()
