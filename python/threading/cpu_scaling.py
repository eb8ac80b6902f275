"""CPU-bound scaling: a fixed amount of pure computation, split over ``threads`` workers.

There are ``chunks`` independent chunks of equal cost; chunk c starts from x = c + 1 and runs
``steps`` rounds of xorshift32 on it. The checksum is the sum of the chunks' final x. Worker w
takes chunks w, w + threads, w + 2 * threads, ...

``sequential`` is a plain loop (it ignores ``threads``). ``threads`` runs the shares on a
ThreadPoolExecutor: the GIL lets one thread at a time run bytecode, so expect no speedup (a
free-threaded 3.13t build would scale). ``processes`` runs them on a ProcessPoolExecutor: each
worker is its own interpreter, and only a share's few arguments and its sum are pickled.

The pool is started before the timed region and shut down after it, so the measure is the
parallel compute alone (handing out the shares and collecting the sums included); the
pool's start-up is reported as ``pool_start_s``.
"""

import time
from concurrent.futures import ProcessPoolExecutor

from labkit import BadArgument, emit, measure, parse_args, started_thread_pool

MASK = 0xFFFFFFFF


def xorshift32(x, steps):
    for _ in range(steps):
        x ^= (x << 13) & MASK
        x ^= x >> 17
        x ^= (x << 5) & MASK
    return x


def share_sum(first, stride, chunks, steps):
    """The chunks first, first + stride, ... below chunks: one worker's share."""
    return sum(xorshift32(c + 1, steps) for c in range(first, chunks, stride))


def sequential_sum(chunks, steps):
    return share_sum(0, 1, chunks, steps)


def parallel_sum(pool, workers, chunks, steps):
    shares = [pool.submit(share_sum, w, workers, chunks, steps) for w in range(workers)]
    return sum(share.result() for share in shares)


def start_processes(workers):
    pool = ProcessPoolExecutor(workers)
    # The executor starts its processes on the first tasks; these bring them all up now.
    list(pool.map(abs, range(workers)))
    return pool


MODES = ("sequential", "threads", "processes")
POOLS = {"threads": started_thread_pool, "processes": start_processes}


def main():
    args = parse_args({"chunks": 64, "steps": 50_000, "threads": 1, "mode": "sequential", "iterations": 1})
    mode, workers, chunks, steps = args["mode"], args["threads"], args["chunks"], args["steps"]
    if mode not in MODES:
        raise BadArgument(f"mode must be one of {list(MODES)}")
    if workers < 1 or chunks < 0 or steps < 0:
        raise BadArgument("threads must be at least 1, chunks and steps at least 0")
    if mode == "sequential":
        seconds, total = measure(lambda: sequential_sum(chunks, steps), args["iterations"])
        pool_start = 0.0
    else:
        started = time.perf_counter()
        pool = POOLS[mode](workers)
        pool_start = time.perf_counter() - started
        with pool:
            seconds, total = measure(lambda: parallel_sum(pool, workers, chunks, steps), args["iterations"])
    emit(total, seconds, chunks * steps, {"pool_start_s": pool_start, "threads": workers})


if __name__ == "__main__":
    main()
