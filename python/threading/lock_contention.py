"""Lock contention: ``threads`` workers increment one shared counter under one lock.

Each worker takes and releases the lock once per increment, so the measured time is what the
runtime charges for a contended lock. The workers are started before the timed region and wait
on a barrier; each run releases them together and ends when the last has finished. With the
GIL (CPython's default build) only one thread runs Python code at a time, so the workers take
turns rather than run in parallel; that is part of what is measured.
"""

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


def contended_run(counter, barrier):
    counter.value = 0
    barrier.wait()  # release the workers
    barrier.wait()  # until every worker has finished
    return counter.value


def start_workers(threads, counter, increments, runs, barrier):
    workers = [threading.Thread(target=work, args=(counter, increments, runs, barrier)) for _ in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()  # until every worker is running
    return workers


MODES = {"lock"}


def main():
    args = parse_args({"threads": 2, "increments": 100_000, "mode": "lock", "iterations": 1})
    if args["mode"] not in MODES:
        raise BadArgument(f"mode must be one of {sorted(MODES)}")
    if args["threads"] < 1 or args["increments"] < 0:
        raise BadArgument("threads must be at least 1 and increments at least 0")
    threads, counter = args["threads"], Counter()
    barrier = threading.Barrier(threads + 1)
    started = time.perf_counter()
    workers = start_workers(threads, counter, args["increments"], args["iterations"], barrier)
    start_s = time.perf_counter() - started
    seconds, total = measure(lambda: contended_run(counter, barrier), args["iterations"])
    for worker in workers:
        worker.join()
    emit(total, seconds, threads * args["increments"], {"start_s": start_s, "threads": threads})


if __name__ == "__main__":
    main()
