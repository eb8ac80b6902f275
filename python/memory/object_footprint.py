"""Object footprint: the bytes each of n small records costs while a list retains them.

A record is an integer id = i and a float value = i * 0.5, as a plain class (mode=class), a
``__slots__`` class (mode=slots) or a tuple (mode=tuple). The measured region builds the list
with tracing off; afterwards the list is built once more between two readings of tracemalloc
(started before that build, with a full collection before each reading), and
bytes_per_object = (traced bytes after - before) / n. That figure counts the bytes requested
from CPython's allocators (not pymalloc's rounding up to 16-byte size classes): the record, its
int (ints above 256 are objects) and float, and the list's 8-byte reference slot, including the
list's over-allocation.
"""

import gc
import tracemalloc

from labkit import BadArgument, emit, measure, parse_args, runtime_memory


class Record:
    def __init__(self, id_, value):
        self.id = id_
        self.value = value


class SlotsRecord:
    __slots__ = ("id", "value")

    def __init__(self, id_, value):
        self.id = id_
        self.value = value


MODES = {"class": Record, "slots": SlotsRecord, "tuple": lambda id_, value: (id_, value)}


def build(n, make):
    return [make(i, i * 0.5) for i in range(n)]


def traced_footprint(n, make):
    """The records and the bytes each costs, as tracemalloc sees them."""
    tracemalloc.start()
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    records = build(n, make)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return records, (after - before) / n


def checksum(records, mode):
    if mode == "tuple":
        return sum(id_ + int(value * 2) for id_, value in records)
    return sum(record.id + int(record.value * 2) for record in records)


def main():
    args = parse_args({"n": 200_000, "mode": "class", "iterations": 1})
    if args["mode"] not in MODES:
        raise BadArgument(f"mode must be one of {sorted(MODES)}")
    if args["n"] < 1:
        raise BadArgument("n must be at least 1")
    n, make = args["n"], MODES[args["mode"]]
    seconds = measure(lambda: build(n, make), args["iterations"])[0]
    records, bytes_per_object = traced_footprint(n, make)
    metrics = {"bytes_per_object": bytes_per_object, **runtime_memory()}  # while the n records are held
    emit(checksum(records, args["mode"]), seconds, n, metrics)


if __name__ == "__main__":
    main()
