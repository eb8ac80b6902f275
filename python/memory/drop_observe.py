"""Drop and observe: does the heap shrink the moment the last reference to a structure goes?

The measured region builds a list of n small records (an int id and a float value) and sums
their ids. Then, outside it, with the cycle collector disabled so that only reference counting
can free anything: the heap is read (CPython's allocated blocks) before building, with the
records held, right after the last reference is dropped, and after a full collection.
freed_at_once_share is the part of what the records held that was gone before any collection
ran; freed_after_gc_share the part gone after one. Mirrors DropObserve.java and drop_observe.js.
"""

import gc
import sys

from labkit import BadArgument, emit, measure, not_available, parse_args


class Record:
    def __init__(self, id_, value):
        self.id = id_
        self.value = value


def build(n):
    return [Record(i, i * 0.5) for i in range(n)]


def checksum(records):
    return sum(record.id for record in records)


def observe_drop(n):
    """Heap readings around building and dropping n records, with only reference counting on."""
    gc.collect()
    gc.disable()
    try:
        baseline = sys.getallocatedblocks()
        records = build(n)
        held = sys.getallocatedblocks()
        total = checksum(records)
        del records  # the last reference: reference counting frees every record here
        at_once = sys.getallocatedblocks()
    finally:
        gc.enable()
    gc.collect()
    after_gc = sys.getallocatedblocks()
    if held <= baseline:
        raise BadArgument(f"the heap counter saw no growth for n={n} records: use a larger n")
    return total, {
        "heap_unit": "allocated blocks",
        "held": held - baseline,
        "freed_at_once_share": (held - at_once) / (held - baseline),
        "freed_after_gc_share": (held - after_gc) / (held - baseline),
        "gc_between": 0,  # the collector was disabled
    }


def main():
    args = parse_args({"n": 500_000, "iterations": 1})
    if not hasattr(sys, "getallocatedblocks"):  # the heap reading this question rests on is CPython's
        not_available(f"{sys.implementation.name} has no count of live heap blocks (sys.getallocatedblocks)")
    if args["n"] < 1:
        raise BadArgument("n must be at least 1")
    n = args["n"]
    seconds = measure(lambda: checksum(build(n)), args["iterations"])[0]
    total, metrics = observe_drop(n)
    emit(total, seconds, n, metrics)


if __name__ == "__main__":
    main()
