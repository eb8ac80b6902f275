"""A user's program with a bug: its checksum is off by one."""

import json
import sys

n = int(dict(arg.split("=", 1) for arg in sys.argv[1:])["n"])
print(json.dumps({"checksum": str(n * (n + 1) // 2 + 1), "work_s": 0.0, "metrics": {}}))
