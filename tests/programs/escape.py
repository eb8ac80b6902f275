"""Test program: leave a process running that escapes the process group, then exit 0 with a result.

how=setsid: a child in a new session. how=doublefork: a daemon, its parent gone at once, also in a
new session. The survivor sleeps for a minute and carries `tag` in its command line.
"""

import json
import os
import sys
import time

how, tag = sys.argv[1], sys.argv[2]
if os.fork() == 0:
    os.setsid()
    if how == "doublefork" and os.fork() != 0:
        os._exit(0)
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)", tag])
time.sleep(0.2)  # the survivor is in place before the program ends
print(json.dumps({"checksum": "1", "work_s": [0.1]}), flush=True)
