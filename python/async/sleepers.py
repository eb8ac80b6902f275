"""Concurrent sleepers: start ``tasks`` tasks that each sleep ``sleep_ms``, then add their index to a total.

The tasks do no work, so everything beyond one sleep (metric ``overhead_s``) is what the runtime
charges to start, park, time and wake that many tasks; what one sleeping task holds shows in the
peak RSS as ``tasks`` grows, and in the runtime's heap view taken while all of them sleep.
``spawn_s`` is the time until every task has been started; with ``sleep_ms`` shorter than that,
the first threads finish before the last start. The cycle collector's runs over all iterations
are reported too: tens of thousands of live tasks make each full collection long.

``asyncio`` runs coroutines as Tasks on the standard event loop, ``uvloop`` the same code on
uvloop's libuv-based loop (a third-party package), ``threads`` one OS thread per task, which the
machine's thread limits bound.
"""

import asyncio
import threading
import time

from labkit import BadArgument, GcRecorder, emit, loop_factory, measure, parse_args, runtime_memory, thread_budget


class Total:
    """The shared sum. Threads add under its lock; coroutines on one loop need none."""

    def __init__(self):
        self.lock = threading.Lock()
        self.value = 0


async def sleep_then_add(index, delay, total):
    await asyncio.sleep(delay)
    total.value += index


async def sleep_all_async(tasks, delay, seen):
    total = Total()
    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for index in range(tasks):
            group.create_task(sleep_then_add(index, delay, total))
        await asyncio.sleep(0)  # every task runs up to its sleep before this resumes
        seen["spawn_s"] = time.perf_counter() - started
        seen.update(runtime_memory())  # while all tasks sleep
    return total.value


def sleep_then_add_blocking(index, delay, total):
    time.sleep(delay)
    with total.lock:
        total.value += index


def sleep_all_threads(tasks, delay, seen):
    total = Total()
    started = time.perf_counter()
    threads = [threading.Thread(target=sleep_then_add_blocking, args=(i, delay, total)) for i in range(tasks)]
    for thread in threads:
        thread.start()  # returns once the new thread is running
    seen["spawn_s"] = time.perf_counter() - started
    seen.update(runtime_memory())
    for thread in threads:
        thread.join()
    return total.value


MODES = {"asyncio", "uvloop", "threads"}
UVLOOP_MISSING = "uvloop is not installed for this Python (pip install uvloop)"


def main():
    args = parse_args({"tasks": 1000, "sleep_ms": 1000, "mode": "asyncio", "iterations": 1})
    tasks, mode, delay = args["tasks"], args["mode"], args["sleep_ms"] / 1000
    if mode not in MODES:
        raise BadArgument(f"mode must be one of {sorted(MODES)}")
    if tasks < 1 or delay < 0:
        raise BadArgument("tasks must be at least 1 and sleep_ms at least 0")
    if mode == "threads":
        budget = thread_budget()
        if budget is not None and tasks > budget:
            raise BadArgument(f"tasks={tasks} exceeds the {budget} more threads this machine allows")
    seen = {"tasks": tasks}
    with GcRecorder() as recorder:
        if mode == "threads":
            seconds, total = measure(lambda: sleep_all_threads(tasks, delay, seen), args["iterations"])
        else:
            # One loop for every iteration, as one program would keep it.
            with asyncio.Runner(loop_factory=loop_factory(mode, UVLOOP_MISSING)) as runner:
                seconds, total = measure(lambda: runner.run(sleep_all_async(tasks, delay, seen)), args["iterations"])
    seen["overhead_s"] = seconds[-1] - delay
    seen.update(recorder.metrics())
    emit(total, seconds, tasks, seen)


if __name__ == "__main__":
    main()
