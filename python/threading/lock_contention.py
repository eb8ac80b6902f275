"""Lock contention: ``threads`` workers increment one shared counter under one lock.

Each worker takes and releases the lock once per increment, so the measured time is what the
runtime charges for a contended lock. The workers are started before the timed region and wait
on a barrier; each run releases them together and ends when the last has finished. With the
GIL (CPython's default build) only one thread runs Python code at a time, so the workers take
turns rather than run in parallel; that is part of what is measured.

``lock`` is threads and a ``threading.Lock``. ``processes`` is the same with processes: the
counter is a ``multiprocessing.Value`` in shared memory and each increment holds its lock (a
POSIX semaphore shared between processes), the way Python shares a counter across cores.
"""

import multiprocessing
import threading
import time

from labkit import BadArgument, emit, measure, parse_args


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.value = 0


def work(counter, increments, runs, barrier):
    lock = counter.lock
    barrier.wait()  # started
    for _ in range(runs):
        barrier.wait()  # released
        for _ in range(increments):
            with lock:
                counter.value += 1
        barrier.wait()  # finished


class SharedCounter:
    """A counter in shared memory for processes, with the lock that multiprocessing gives it."""

    def __init__(self, context):
        self.context = context
        self.shared = context.Value("q", 0)
        self.lock = self.shared.get_lock()

    @property
    def value(self):
        return self.shared.value

    @value.setter
    def value(self, number):
        self.shared.value = number


def work_in_process(shared, increments, runs, barrier):
    lock = shared.get_lock()
    barrier.wait()  # started
    for _ in range(runs):
        barrier.wait()  # released
        for _ in range(increments):
            with lock:
                shared.value += 1
        barrier.wait()  # finished


def contended_run(counter, barrier):
    counter.value = 0
    barrier.wait()  # release the workers
    barrier.wait()  # until every worker has finished
    return counter.value


def start_threads(threads, counter, increments, runs):
    barrier = threading.Barrier(threads + 1)
    workers = [threading.Thread(target=work, args=(counter, increments, runs, barrier)) for _ in range(threads)]
    return workers, barrier


def start_processes(threads, counter, increments, runs):
    context = counter.context
    barrier = context.Barrier(threads + 1)
    args = (counter.shared, increments, runs, barrier)
    return [context.Process(target=work_in_process, args=args) for _ in range(threads)], barrier


def new_counter(mode):
    if mode == "lock":
        return Counter()
    # fork: the workers need no re-import of this module, as threads need none.
    return SharedCounter(multiprocessing.get_context("fork"))


STARTERS = {"lock": start_threads, "processes": start_processes}
MODES = set(STARTERS)


def main():
    args = parse_args({"threads": 2, "increments": 100_000, "mode": "lock", "iterations": 1})
    if args["mode"] not in MODES:
        raise BadArgument(f"mode must be one of {sorted(MODES)}")
    if args["threads"] < 1 or args["increments"] < 0:
        raise BadArgument("threads must be at least 1 and increments at least 0")
    threads, counter = args["threads"], new_counter(args["mode"])
    started = time.perf_counter()
    workers, barrier = STARTERS[args["mode"]](threads, counter, args["increments"], args["iterations"])
    for worker in workers:
        worker.start()
    barrier.wait()  # until every worker is running
    start_s = time.perf_counter() - started
    seconds, total = measure(lambda: contended_run(counter, barrier), args["iterations"])
    for worker in workers:
        worker.join()
    emit(total, seconds, threads * args["increments"], {"start_s": start_s, "threads": threads})


if __name__ == "__main__":
    main()
