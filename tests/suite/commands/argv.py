"""Prints its arguments, one per line, exactly as it received them."""
import sys

print("\n".join(sys.argv[1:]))
