"""Prints a sum in words and digits; off=1 gets it wrong by one."""
import sys

n, off = int(sys.argv[1]), int(sys.argv[2])
print(f"the sum of 1..{n} is {n * (n + 1) // 2 + off}")
