"""binary-trees (the Benchmarks Game algorithm, one thread): python3 binarytrees.py DEPTH

Builds, checks and drops millions of small trees while one long-lived tree is held. Prints the
Benchmarks Game's lines.
"""

import sys

MIN_DEPTH = 4


def make(depth):
    return (make(depth - 1), make(depth - 1)) if depth else (None, None)


def check(node):
    left, right = node
    return 1 if left is None else 1 + check(left) + check(right)


if __name__ == "__main__":
    max_depth = max(MIN_DEPTH + 2, int(sys.argv[1]))
    print(f"stretch tree of depth {max_depth + 1}\t check: {check(make(max_depth + 1))}")
    long_lived = make(max_depth)
    for depth in range(MIN_DEPTH, max_depth + 1, 2):
        iterations = 2 ** (max_depth - depth + MIN_DEPTH)
        total = sum(check(make(depth)) for _ in range(iterations))
        print(f"{iterations}\t trees of depth {depth}\t check: {total}")
    print(f"long lived tree of depth {max_depth}\t check: {check(long_lived)}")
