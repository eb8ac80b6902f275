"""Blocking IO in threads: ``threads`` workers each make ``waits`` blocking waits of ``wait_ms``.

Each wait is a ``time.sleep``, which releases the GIL like a blocking read or write does, so
threads overlap their waits even though only one at a time may run Python code: the ideal is
``waits * wait_ms`` however many threads there are. ``sequential`` makes all the
``threads * waits`` waits one after another, on the main thread.

Worker w adds w + 1 per completed wait; the checksum is the sum over the workers.

The threads run on a ThreadPoolExecutor started before the timed region and shut down after it,
as Node's workers must be (their start-up would swamp the waits); the measure is the waits,
handing them out and collecting the counts. The pool's start-up is reported as
``pool_start_s``.
"""

import time

from labkit import BadArgument, emit, measure, parse_args, started_thread_pool


def wait_repeatedly(w, waits, wait_s):
    """One worker's share: ``waits`` blocking waits, counting w + 1 for each."""
    count = 0
    for _ in range(waits):
        time.sleep(wait_s)
        count += w + 1
    return count


def sequential_waits(workers, waits, wait_s):
    return sum(wait_repeatedly(w, waits, wait_s) for w in range(workers))


def threaded_waits(pool, workers, waits, wait_s):
    shares = [pool.submit(wait_repeatedly, w, waits, wait_s) for w in range(workers)]
    return sum(share.result() for share in shares)


MODES = ("sequential", "threads")


def main():
    args = parse_args({"threads": 4, "waits": 10, "wait_ms": 20, "mode": "sequential", "iterations": 1})
    mode, workers, waits, wait_ms = args["mode"], args["threads"], args["waits"], args["wait_ms"]
    if mode not in MODES:
        raise BadArgument(f"mode must be one of {list(MODES)}")
    if workers < 1 or waits < 0 or wait_ms < 0:
        raise BadArgument("threads must be at least 1, waits and wait_ms at least 0")
    wait_s = wait_ms / 1000
    if mode == "sequential":
        seconds, total = measure(lambda: sequential_waits(workers, waits, wait_s), args["iterations"])
        pool_start = 0.0
    else:
        started = time.perf_counter()
        pool = started_thread_pool(workers)
        pool_start = time.perf_counter() - started
        with pool:
            seconds, total = measure(lambda: threaded_waits(pool, workers, waits, wait_s), args["iterations"])
    metrics = {"ideal_s": waits * wait_ms / 1000, "threads": workers, "pool_start_s": pool_start}
    emit(total, seconds, workers * waits, metrics)


if __name__ == "__main__":
    main()
