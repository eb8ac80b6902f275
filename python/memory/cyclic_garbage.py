"""Cyclic garbage: make m pairs of objects that point at each other, and drop each pair.

Reference counting never frees a cycle, so CPython relies on its cycle collector. mode=gc_on
(the default) leaves it running; mode=gc_off calls gc.disable() before the measured region, so
every pair piles up until the gc.collect() after each timed iteration (outside the timed region),
whose count of unreachable objects is reported as uncollected_objects: a figure per iteration,
and a peak that holds one iteration's garbage, not the sum over iterations. The heap view is
taken at the end of the measured region.
"""

import gc

from labkit import BadArgument, GcRecorder, emit, measure, parse_args, runtime_memory

latest = None


class Cell:
    def __init__(self, payload):
        self.payload = payload
        self.partner = None


def churn(m, seen):
    global latest
    total = 0
    for i in range(m):
        a = Cell(i)
        b = Cell(2 * i)
        a.partner = b
        b.partner = a
        latest = a  # mirrors Java and Node, where this stops a JIT from eliding the pair
        total += a.partner.payload + b.partner.payload
    seen.update(runtime_memory())  # before anything collects what piled up
    return total


MODES = {"gc_on": gc.enable, "gc_off": gc.disable}


def main():
    global latest
    args = parse_args({"m": 200_000, "mode": "gc_on", "iterations": 1})
    if args["mode"] not in MODES:
        raise BadArgument(f"mode must be one of {sorted(MODES)}")
    seen = {}
    left_per_iteration = []

    def collect_leftovers():
        global latest
        latest = None
        left_per_iteration.append(recorder.uncounted_collect())

    MODES[args["mode"]]()
    with GcRecorder() as recorder:
        seconds, total = measure(lambda: churn(args["m"], seen), args["iterations"], after=collect_leftovers)
    gc.enable()
    metrics = {**recorder.metrics(), **seen}
    if left_per_iteration[-1] is not None:  # PyPy's gc.collect() counts nothing
        metrics["uncollected_objects"] = left_per_iteration[-1]
    emit(total, seconds, args["m"], metrics)


if __name__ == "__main__":
    main()
