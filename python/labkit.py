"""The Runtime Lab program protocol, for Python workloads.

Every workload reads ``key=value`` arguments, times its measured region
(optionally several times in one process: the first time is the cold run),
and prints one JSON line as the last line on stdout:

    {"checksum": "...", "work_s": [0.12, 0.10], "ops": 1000, "metrics": {...}}

Diagnostics go to stderr. Mirrors ``java/src/lab/Kit.java`` and ``node/labkit.js``.
"""

import json
import sys
import time


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


def measure(region, iterations):
    """Run ``region()`` ``iterations`` times; return (seconds per run, last result)."""
    seconds = []
    result = None
    for _ in range(iterations):
        result = None  # free the previous run's result outside the timed region
        start = time.perf_counter()
        result = region()
        seconds.append(time.perf_counter() - start)
    return seconds, result


def emit(checksum, work_s, ops, metrics=None):
    """Print the protocol's final JSON line."""
    line = {"checksum": str(checksum), "work_s": work_s, "ops": ops, "metrics": metrics or {}}
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def runtime_memory():
    """CPython's own view of its heap: allocated blocks (objects and buffers) now alive."""
    return {"allocated_blocks": sys.getallocatedblocks()}


class GcRecorder:
    """Counts CPython's cycle-collector runs and their pauses through ``gc.callbacks``."""

    def __init__(self):
        self.collections = 0
        self.collected = 0
        self.pause_s = 0.0
        self._started = None

    def __enter__(self):
        import gc

        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *exc):
        import gc

        gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.pause_s += time.perf_counter() - self._started
            self.collections += 1
            self.collected += info.get("collected", 0)
            self._started = None

    def metrics(self):
        """GC figures in the lab's common metric names."""
        return {"gc_count": self.collections, "gc_pause_s": self.pause_s, "gc_collected": self.collected}
