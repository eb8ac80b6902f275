"""Test program: print `mb` MiB of text on stdout, then the lab's result line."""
import json
import sys

mb = int(sys.argv[1])
line = "x" * 1023 + "\n"
for _ in range(mb * 1024):
    sys.stdout.write(line)
print(json.dumps({"checksum": "1", "work_s": [0.01]}))
