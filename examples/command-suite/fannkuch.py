"""fannkuch-redux (the Benchmarks Game algorithm, one thread): python3 fannkuch.py N

Prints the checksum, then "Pfannkuchen(N) = MAXFLIPS", as the Benchmarks Game does.
"""

import sys


def fannkuch(n):
    perm1, count = list(range(n)), [0] * n
    max_flips = checksum = index = 0
    r = n
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        perm = perm1[:]
        flips, k = 0, perm[0]
        while k:
            perm[: k + 1] = perm[k::-1]
            flips += 1
            k = perm[0]
        max_flips = max(max_flips, flips)
        checksum += -flips if index % 2 else flips
        while True:  # the next permutation
            if r == n:
                return checksum, max_flips
            first = perm1[0]
            perm1[:r] = perm1[1 : r + 1]
            perm1[r] = first
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1
        index += 1


if __name__ == "__main__":
    n = int(sys.argv[1])
    checksum, max_flips = fannkuch(n)
    print(f"{checksum}\nPfannkuchen({n}) = {max_flips}")
