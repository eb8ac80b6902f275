"""Test program: start a child that sleeps for ever, then sleep for ever; marks both with `tag`."""

import subprocess
import sys
import time

tag = sys.argv[1]
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)", tag])
print("started", flush=True)
time.sleep(3600)
