"""Test program: a fixed amount of CPU-bound work, for the harness-overhead benchmark."""

import json
import sys
import time

n = int(dict(arg.split("=", 1) for arg in sys.argv[1:]).get("n", "3000000"))
start = time.perf_counter()
total = 0
for i in range(n):
    total = (total + i * i) % 1_000_003
print(json.dumps({"checksum": str(total), "work_s": time.perf_counter() - start, "metrics": {}}))
