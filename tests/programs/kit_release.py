"""Does labkit.measure let go of one iteration's result before the next begins?

Each of three iterations reads the settled heap first (python/labkit.settled_heap_in_use), then
builds and returns a result of about 40 MB. If the previous result were still held, the heap at
the start of iteration 2 would be about 40 MB above iteration 1's. Prints the protocol line with
metrics heap_at_start (bytes, one per iteration) and result_bytes.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from labkit import emit, measure, settled_heap_in_use

RESULT_ITEMS = 5_000_000  # a list of 5 million references to one float: 40 MB of malloc'd array


def main():
    heap_at_start = []

    def region():
        heap_at_start.append(settled_heap_in_use())
        return [0.5] * RESULT_ITEMS

    seconds, _ = measure(region, 3)
    emit("0", seconds, 3, {"heap_at_start": heap_at_start, "result_bytes": 8 * RESULT_ITEMS})


if __name__ == "__main__":
    main()
