"""A user's own program: sums 1..n and follows the lab protocol without the lab's kit."""

import json
import sys
import time

n = int(dict(arg.split("=", 1) for arg in sys.argv[1:])["n"])
start = time.perf_counter()
total = sum(range(1, n + 1))
print("diagnostics go to stderr", file=sys.stderr)
print(json.dumps({"checksum": str(total), "work_s": [time.perf_counter() - start], "ops": n, "metrics": {"answer": total}}))
