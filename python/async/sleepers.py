"""Concurrent sleepers: start ``tasks`` tasks that each sleep ``sleep_ms`` and return their index.

The tasks do no work, so everything beyond one sleep (metric ``overhead_s``) is what the runtime
charges to start, park, time and wake that many tasks; what one sleeping task holds shows in the
peak RSS as ``tasks`` grows, and in the runtime's heap view taken while all of them sleep.
``spawn_s`` is the time from before the first task starts until every task has reached its sleep,
in every language.

No task ends before every task has started, so all are alive at once when the heap view is taken
and the peak is reached, whatever ``sleep_ms``: the event loop sees to it for asyncio tasks (no
timer fires before the loop that started them all yields), and an OS thread that wakes before the
last has started waits at a gate until then. Starting 10,000 OS threads takes seconds here, so
without the gate the first would end before the last started.

The checksum is the sum of the indices the tasks returned. The cycle collector's runs over all
iterations are reported too: tens of thousands of live tasks make each full collection long.

A task is the sleep itself and nothing more, ``asyncio.sleep(delay, result=index)``, so that the
memory compared is what the runtime needs for a sleeping task, not the program's bookkeeping.

``asyncio`` runs the tasks on the standard event loop, ``eager`` the same with
``asyncio.eager_task_factory`` (Python 3.12; each task runs to its first wait as it is created),
``uvloop`` on uvloop's libuv-based loop (a third-party package), ``threads`` one OS thread per task,
which the machine's thread limits bound.
"""

import asyncio
import sys
import threading
import time

from labkit import (
    BadArgument,
    GcRecorder,
    emit,
    loop_factory,
    measure,
    not_available,
    parse_args,
    require_python,
    runtime_memory,
    thread_budget,
)


async def sleep_all_async(tasks, delay, seen):
    started = time.perf_counter()
    sleepers = [asyncio.create_task(asyncio.sleep(delay, index)) for index in range(tasks)]
    await asyncio.sleep(0)  # every task runs up to its sleep before this resumes
    seen["spawn_s"] = time.perf_counter() - started
    seen.update(runtime_memory())  # while all tasks sleep
    return sum(await asyncio.gather(*sleepers))


def sleep_all_threads(tasks, delay, seen):
    results = [0] * tasks
    asleep = threading.Semaphore(0)  # a countdown: released once by each thread as it goes to sleep
    # The gate no thread ends before: a lock held until every thread has started, then passed from
    # one waiting thread to the next, as the Java program's monitor. (An Event woke 10,000 threads
    # at once to fight over its lock and the GIL: a run had not ended after 6 minutes.)
    gate = threading.Lock()
    gate.acquire()

    def sleep_then_return(index):
        asleep.release()
        time.sleep(delay)
        with gate:  # held by the main thread until every thread has started: all are alive at once
            results[index] = index  # a thread's return value: each writes its own slot

    started = time.perf_counter()
    threads = [threading.Thread(target=sleep_then_return, args=(i,)) for i in range(tasks)]
    for thread in threads:
        thread.start()
    for _ in range(tasks):
        asleep.acquire()
    seen["spawn_s"] = time.perf_counter() - started
    seen.update(runtime_memory())  # while every task is alive (asleep, or waiting at the gate)
    gate.release()
    for thread in threads:
        thread.join()
    return sum(results)


def eager_runner():
    """An asyncio Runner whose loop runs each new task eagerly, up to its first wait."""
    if sys.version_info < (3, 12):
        not_available("asyncio.eager_task_factory needs Python 3.12 or later")
    runner = asyncio.Runner()
    runner.get_loop().set_task_factory(asyncio.eager_task_factory)
    return runner


MODES = {"asyncio", "eager", "uvloop", "threads"}
UVLOOP_MISSING = "uvloop is not installed for this Python (pip install uvloop)"


def event_loop_runner(mode):
    """One Runner, and so one loop, for every iteration, as one program would keep it."""
    require_python((3, 11), "asyncio.Runner")
    if mode == "eager":
        return eager_runner()
    return asyncio.Runner(loop_factory=loop_factory(mode, UVLOOP_MISSING))


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
            with event_loop_runner(mode) as runner:
                seconds, total = measure(lambda: runner.run(sleep_all_async(tasks, delay, seen)), args["iterations"])
    seen["overhead_s"] = seconds[-1] - delay
    seen.update(recorder.metrics())
    emit(total, seconds, tasks, seen)


if __name__ == "__main__":
    main()
