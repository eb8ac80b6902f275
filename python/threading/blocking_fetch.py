"""Blocking IO on real sockets: ``threads`` workers each make ``waits`` blocking HTTP requests.

The companion of blocking_io.py, whose waits are sleeps: here each wait is a request to the
harness's slow local server (harness/fixtures/slow_server.py), which answers ``GET /page/<w>``
after ``delay_ms`` with the text of w. A worker keeps one keep-alive connection and blocks in
the socket read until the answer comes, which releases the GIL as the sleep does: the ideal is
``waits * delay_ms`` however many threads there are. ``sequential`` makes all the
``threads * waits`` requests one after another, on the main thread.

Worker w adds the page number it read back, plus one, per completed wait: the checksum is
blocking_io's, computed from the bytes that came over the socket.
"""

import http.client
import time
from urllib.parse import urlsplit

from labkit import BadArgument, emit, measure, parse_args, started_thread_pool


def fetch_repeatedly(address, w, waits):
    """One worker's share: ``waits`` blocking requests on one connection, counting page + 1 each."""
    connection = http.client.HTTPConnection(*address, timeout=30)
    count = 0
    try:
        for _ in range(waits):
            connection.request("GET", f"/page/{w}")
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"the slow server answered {response.status}")
            count += int(body) + 1
    finally:
        connection.close()
    return count


def sequential_fetches(address, workers, waits):
    return sum(fetch_repeatedly(address, w, waits) for w in range(workers))


def threaded_fetches(pool, address, workers, waits):
    shares = [pool.submit(fetch_repeatedly, address, w, waits) for w in range(workers)]
    return sum(share.result() for share in shares)


MODES = ("sequential", "threads")


def main():
    args = parse_args({"url": "", "threads": 4, "waits": 10, "delay_ms": 20, "mode": "sequential", "iterations": 1})
    mode, workers, waits = args["mode"], args["threads"], args["waits"]
    parts = urlsplit(args["url"])
    if mode not in MODES:
        raise BadArgument(f"mode must be one of {list(MODES)}")
    if parts.scheme != "http" or not parts.port or workers < 1 or waits < 0:
        raise BadArgument("url must be http://HOST:PORT of the slow server; threads at least 1, waits at least 0")
    address = (parts.hostname, parts.port)
    if mode == "sequential":
        seconds, total = measure(lambda: sequential_fetches(address, workers, waits), args["iterations"])
        pool_start = 0.0
    else:
        started = time.perf_counter()
        pool = started_thread_pool(workers)
        pool_start = time.perf_counter() - started
        with pool:
            seconds, total = measure(lambda: threaded_fetches(pool, address, workers, waits), args["iterations"])
    metrics = {"ideal_s": waits * args["delay_ms"] / 1000, "threads": workers, "pool_start_s": pool_start}
    emit(total, seconds, workers * waits, metrics)


if __name__ == "__main__":
    main()
