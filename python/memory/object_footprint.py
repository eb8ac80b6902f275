"""Object footprint: the bytes each of n small records costs while a list retains them.

A record is an integer id = i and a float value = i * 0.5, as a plain class (mode=class), a
``__slots__`` class (mode=slots), a ``@dataclass(slots=True)`` (mode=dataclass) or a tuple
(mode=tuple). The measured region builds the list; afterwards it is built once more between two
readings of the settled heap (after a full collection), and
bytes_per_object = (heap in use after - before) / n, as Java and Node measure theirs.

The heap in use is what CPython's allocators hold for live objects (labkit.settled_heap_in_use):
pymalloc's blocks, rounded up to 16-byte size classes, and malloc's larger blocks. The list
grows by appending, as Java's ArrayList and Node's Array grow by add and push. The expected
layout on a 64-bit CPython 3.11 (sys.getsizeof, which counts the collector's 16-byte header,
rounded up to 16):

- slots: record 48, int 32 (28: ints above 256 are objects), float 32 (24), list slot 8 plus
  the list's over-allocation of about 1/8: about 120 bytes;
- tuple: tuple 64 (56), int 32, float 32, slot about 9: about 137 bytes;
- class: the instance 64 (56) and its separately allocated attribute values 32, on top of the
  same int, float and slot: about 169 bytes.

Where the allocators cannot be read (a build without pymalloc), tracemalloc's count of the
bytes requested is used instead, and heap_method says so.
"""

import gc
from dataclasses import dataclass

from labkit import BadArgument, emit, measure, parse_args, require_python, runtime_memory, settled_heap_in_use

require_python((3, 10), "dataclass(slots=True)")


class Record:
    def __init__(self, id_, value):
        self.id = id_
        self.value = value


class SlotsRecord:
    __slots__ = ("id", "value")

    def __init__(self, id_, value):
        self.id = id_
        self.value = value


@dataclass(slots=True)
class DataRecord:
    id: int
    value: float


MODES = {"class": Record, "slots": SlotsRecord, "dataclass": DataRecord, "tuple": lambda id_, value: (id_, value)}


def build(n, make):
    return [make(i, i * 0.5) for i in range(n)]


def settled_footprint(n, make):
    """The records built between two readings of the settled heap, the bytes each costs, and how
    the heap was read."""
    before = settled_heap_in_use()
    if before is None:
        return traced_footprint(n, make)
    records = build(n, make)
    return records, (settled_heap_in_use() - before) / n, "pymalloc and malloc bytes in use"


def traced_footprint(n, make):
    """The fallback: tracemalloc's bytes requested, without the allocators' rounding."""
    import tracemalloc

    tracemalloc.start()
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    records = build(n, make)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return records, (after - before) / n, "tracemalloc bytes requested"


def checksum(records, mode):
    """Read back from every retained record: the sum of id + int(value * 2)."""
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
    records, bytes_per_object, method = settled_footprint(n, make)
    metrics = {"bytes_per_object": bytes_per_object, "heap_method": method, **runtime_memory()}  # records held
    emit(checksum(records, args["mode"]), seconds, n, metrics)


if __name__ == "__main__":
    main()
