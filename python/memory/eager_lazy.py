"""Eager vs lazy: sum the integers 0..n-1 from a materialised list or from a generator.

The list holds all n int objects at once; the generator holds one at a time.
"""

from labkit import BadArgument, emit, measure, parse_args, runtime_memory


def eager_sum(n, seen):
    numbers = list(range(n))
    seen.update(runtime_memory())  # while all n integers are alive
    return sum(numbers)


def lazy_sum(n, seen):
    numbers = (i for i in range(n))
    total = sum(numbers)
    seen.update(runtime_memory())
    return total


MODES = {"list": eager_sum, "generator": lazy_sum}


def main():
    args = parse_args({"n": 1_000_000, "mode": "list", "iterations": 1})
    if args["mode"] not in MODES:
        raise BadArgument(f"mode must be one of {sorted(MODES)}")
    summing, seen = MODES[args["mode"]], {}
    seconds, total = measure(lambda: summing(args["n"], seen), args["iterations"])
    emit(total, seconds, args["n"], seen)


if __name__ == "__main__":
    main()
