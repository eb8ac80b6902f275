"""Test program: start `children` processes that each hold `mb` MiB at the same time."""

import json
import multiprocessing
import sys
import time


def hold(size, ready, release):
    held = bytearray(size)
    for offset in range(0, size, 4096):
        held[offset] = 1
    ready.wait()  # all children hold their memory at once
    release.wait()


if __name__ == "__main__":
    args = dict(arg.split("=", 1) for arg in sys.argv[1:])
    count, size = int(args.get("children", "4")), int(args.get("mb", "100")) * 2**20
    ready, release = multiprocessing.Barrier(count + 1), multiprocessing.Event()
    workers = [multiprocessing.Process(target=hold, args=(size, ready, release)) for _ in range(count)]
    for worker in workers:
        worker.start()
    ready.wait()
    time.sleep(float(args.get("hold_s", "0.5")))
    release.set()
    for worker in workers:
        worker.join()
    print(json.dumps({"checksum": str(count), "work_s": 0.0, "metrics": {}}))
