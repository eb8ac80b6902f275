"""Thread spawn: start ``count`` OS threads, hold them all alive, then release and join them.

Each thread signals that it is running, waits on one shared event, adds its index to a shared
total under a lock and exits. Measured: starting them all (metric ``start_s``), then releasing
and joining them; the runtime's memory view is taken while all of them are alive. The per-thread
memory cost shows in the process's peak RSS as ``count`` grows.
"""

import threading
import time

from labkit import BadArgument, emit, measure, parse_args, runtime_memory, thread_budget


class Total:
    def __init__(self):
        self.lock = threading.Lock()
        self.value = 0


def wait_and_add(index, total, ready, release):
    ready.release()
    release.wait()
    with total.lock:
        total.value += index


def spawn_and_join(count, seen):
    total, release = Total(), threading.Event()
    ready = threading.Semaphore(0)  # a countdown: released once by each running thread
    started = time.perf_counter()
    threads = [threading.Thread(target=wait_and_add, args=(i, total, ready, release)) for i in range(count)]
    for thread in threads:
        thread.start()
    for _ in range(count):
        ready.acquire()
    seen["start_s"] = time.perf_counter() - started
    seen.update(runtime_memory())  # while all count threads are alive
    release.set()
    for thread in threads:
        thread.join()
    return total.value


MODES = {"threads"}


def main():
    args = parse_args({"count": 1000, "mode": "threads", "iterations": 1})
    if args["mode"] not in MODES:
        raise BadArgument(f"mode must be one of {sorted(MODES)}")
    count, budget = args["count"], thread_budget()
    if count < 1:
        raise BadArgument("count must be at least 1")
    if budget is not None and count > budget:
        raise BadArgument(f"count={count} exceeds the {budget} more threads this machine allows")
    seen = {"count": count}
    seconds, total = measure(lambda: spawn_and_join(count, seen), args["iterations"])
    emit(total, seconds, count, seen)


if __name__ == "__main__":
    main()
