"""Test program: a chain of processes, each forking the next every 20 ms (at most 200), all hanging;
tagged with `tag`. The tree is still growing when its timeout kills it."""
import os
import sys
import time

tag = sys.argv[1]
for _ in range(200):
    time.sleep(0.02)
    if os.fork() != 0:
        break  # the parent hangs; its child forks the next one
time.sleep(3600)
