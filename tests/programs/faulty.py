"""Test program: one way to go wrong, chosen by `mode=`; every process it starts carries `tag=`."""

import json
import signal
import subprocess
import sys
import time

args = dict(arg.split("=", 1) for arg in sys.argv[1:])
mode = args["mode"]
if mode == "crash":
    sys.exit("boom")
if mode == "nojson":
    print("no result line here")
elif mode == "badjson":
    print('{"checksum": "1", "work_s": [0.1')
elif mode == "nullsum":
    print(json.dumps({"checksum": None, "work_s": [0.1]}))
elif mode == "nanwork":
    print('{"checksum": "1", "work_s": [NaN]}')
elif mode in ("right", "wrong"):
    print(json.dumps({"checksum": "1" if mode == "right" else "2", "work_s": [0.01]}))
elif mode == "ignore_term":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)",
                      f"tag={args['tag']}"])
    time.sleep(600)
