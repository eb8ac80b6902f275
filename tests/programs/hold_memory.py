"""Test program: touch and hold `mb` MiB for `hold_s` seconds, then print a protocol line."""

import json
import sys
import time

args = dict(arg.split("=", 1) for arg in sys.argv[1:])
size = int(args.get("mb", "100")) * 2**20
held = bytearray(size)
for offset in range(0, size, 4096):  # touch every page so it is resident
    held[offset] = 1
time.sleep(float(args.get("hold_s", "0.3")))
print(json.dumps({"checksum": str(sum(held[::4096])), "work_s": 0.0, "metrics": {}}))
