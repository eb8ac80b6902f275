"""HTTP client fan-out: fetch ``pages`` pages from a slow local server, at most ``concurrency`` at a time.

The server (harness/fixtures/slow_server.py) holds every request ``delay_ms`` before it answers, so
no client can beat pages * delay_ms / concurrency (metric ``ideal_s``); ``efficiency`` = ideal_s /
work_s says how close it gets. What it loses is its own cost per request (writing the request,
parsing the response, waking the waiting task) and per connection. One client serves every
iteration, as one program would keep it: the first run also opens the connections, later runs
reuse them. The heap view is taken as the last page is requested, with the other requests in flight.

``streams`` is a small hand-written HTTP/1.1 keep-alive client on asyncio streams; ``aiohttp`` the
common third-party client (a ClientSession whose connector holds at most ``concurrency``
connections). Both run ``concurrency`` worker tasks that take page numbers from one shared iterator.
"""

import asyncio
from urllib.parse import urlsplit

from labkit import BadArgument, emit, measure, not_available, parse_args, require_python, runtime_memory


class Connection:
    """One keep-alive HTTP/1.1 connection, opened on first use; one request at a time."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.request_head = f"Host: {host}:{port}\r\n\r\n".encode("ascii")
        self.reader = self.writer = None

    async def fetch_page(self, number):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(b"GET /page/%d HTTP/1.1\r\n" % number + self.request_head)
        await self.writer.drain()
        status, length = parse_response_head(await self.reader.readuntil(b"\r\n\r\n"))
        body = (await self.reader.readexactly(length)).decode()
        if status != 200:
            raise RuntimeError(f"GET /page/{number}: HTTP {status}")
        return body

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


def parse_response_head(head):
    """The status code and Content-Length of a response head (this server always sends one)."""
    status_line, *fields = head.decode("latin-1").split("\r\n")
    length = None
    for field in fields:
        name, _, value = field.partition(":")
        if name.lower() == "content-length":
            length = int(value)
    if length is None:
        raise RuntimeError(f"response without Content-Length: {status_line}")
    return int(status_line.split(" ", 2)[1]), length


class StreamsClient:
    """One connection per worker."""

    def __init__(self, url, concurrency):
        parts = urlsplit(url)
        self.connections = [Connection(parts.hostname, parts.port) for _ in range(concurrency)]
        self.fetchers = [connection.fetch_page for connection in self.connections]

    async def close(self):
        for connection in self.connections:
            await connection.close()


class AiohttpClient:
    """One ClientSession that every worker shares; its connector pools the connections."""

    def __init__(self, aiohttp, url, concurrency):
        self.session = aiohttp.ClientSession(url, connector=aiohttp.TCPConnector(limit=concurrency))
        self.fetchers = [self.fetch_page] * concurrency

    async def fetch_page(self, number):
        async with self.session.get(f"/page/{number}") as response:
            response.raise_for_status()
            return await response.text()

    async def close(self):
        await self.session.close()


async def worker(fetch_page, numbers, last, seen):
    subtotal = 0
    for number in numbers:
        if number == last:
            seen.update(runtime_memory())  # while the other workers' requests are in flight
        subtotal += int(await fetch_page(number))
    return subtotal


async def fetch_all(client, pages, seen):
    numbers = iter(range(pages))  # shared: each worker takes the next page number
    workers = client.fetchers[:pages]
    async with asyncio.TaskGroup() as group:
        subtotals = [group.create_task(worker(fetch, numbers, pages - 1, seen)) for fetch in workers]
    return sum(subtotal.result() for subtotal in subtotals)


async def open_streams(url, concurrency):
    return StreamsClient(url, concurrency)


async def open_aiohttp(url, concurrency):
    try:
        import aiohttp
    except ImportError:
        not_available("aiohttp is not installed for this Python (pip install aiohttp)")
    return AiohttpClient(aiohttp, url, concurrency)


MODES = {"streams": open_streams, "aiohttp": open_aiohttp}


def main():
    defaults = {"url": "", "pages": 200, "concurrency": 50, "delay_ms": 50, "mode": "streams", "iterations": 1}
    args = parse_args(defaults)
    pages, concurrency = args["pages"], args["concurrency"]
    if args["mode"] not in MODES:
        raise BadArgument(f"mode must be one of {sorted(MODES)}")
    if not args["url"].startswith("http://") or pages < 1 or concurrency < 1:
        raise BadArgument("url must be http://HOST:PORT of the slow server; pages and concurrency at least 1")
    seen = {}
    require_python((3, 11), "asyncio.Runner")
    with asyncio.Runner() as runner:
        client = runner.run(MODES[args["mode"]](args["url"], concurrency))
        try:
            seconds, total = measure(lambda: runner.run(fetch_all(client, pages, seen)), args["iterations"])
        finally:
            runner.run(client.close())
    ideal_s = pages * args["delay_ms"] / 1000 / concurrency
    emit(total, seconds, pages, {"ideal_s": ideal_s, "efficiency": ideal_s / seconds[-1], **seen})


if __name__ == "__main__":
    main()
