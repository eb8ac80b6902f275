"""HTTP hello server: keep-alive HTTP/1.1, every GET answers 200 "Hello, World!".

The smallest useful request-response server: the cost per request of parsing a request head,
writing a response and going back to wait on the connection, with many connections at once.

Every language's standard-library servers send the same bytes, apart from the Date value:

    HTTP/1.1 200 OK\r\nDate: <IMF-fixdate>\r\nContent-type: text/plain\r\nContent-length: 13\r\n\r\nHello, World!

(the JDK's HttpServer spells the header names so). Every server checks the request line the same
way: a method token, a target and HTTP/1.0 or HTTP/1.1, separated by single spaces; anything else
is answered 400 and the connection closed. A method other than GET is answered 405.

``asyncio`` is a minimal HTTP/1.1 server on asyncio streams: read the head up to the blank
line, answer, keep the connection open unless the client sent ``Connection: close`` (or spoke
HTTP/1.0). It reads no request bodies, so after a 405 the connection is closed. ``uvloop`` is the
same server on uvloop's libuv-based event loop (``pip install uvloop``). ``asyncio-multicore`` is
the same server in one process per core, sharing the port through SO_REUSEPORT (as Node's
cluster module shares it). ``threaded`` is the standard library's
http.server.ThreadingHTTPServer: one thread per connection, blocking reads; protocol_version
HTTP/1.1 keeps connections alive. ``threads`` is the ``asyncio`` server's own parser and
responses on socketserver.ThreadingTCPServer, an OS thread per connection: set against
``asyncio`` it differs only in threads against an event loop, while ``threaded`` also pays for
http.server's header parsing. ``aiohttp`` is aiohttp.web, the most used production asyncio
server; it sends its own headers (a Server header and a charset besides these).

A server program: it prints {"ready": true, "port": N} once listening, serves until SIGTERM,
then prints the final line with ops = requests served.
"""

import asyncio
import re
import signal
import socketserver
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from labkit import (
    LISTEN_BACKLOG,
    BadArgument,
    CountingServer,
    emit,
    listen_failed,
    loop_factory,
    not_available,
    parse_args,
    ready,
    require_python,
    runtime_memory,
    serve_on_every_core,
    serve_threaded,
    serve_until_term,
    server_metrics,
)

BODY = b"Hello, World!"
HELLO = b"HTTP/1.1 200 OK\r\nDate: %s\r\nContent-type: text/plain\r\nContent-length: 13\r\n\r\n" + BODY
HELLO_CLOSE = b"HTTP/1.1 200 OK\r\nDate: %s\r\nContent-type: text/plain\r\nContent-length: 13\r\nConnection: close\r\n\r\n" + BODY
NOT_ALLOWED = b"HTTP/1.1 405 Method Not Allowed\r\nDate: %s\r\nAllow: GET\r\nContent-length: 0\r\n\r\n"
BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nContent-length: 0\r\nConnection: close\r\n\r\n"
# A method token (RFC 9110 tchar), one space, a target, one space, the version.
REQUEST_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+) [^ \x00-\x1f\x7f]+ (HTTP/1\.[01])")


class HttpDate:
    """The Date header's value, formatted at most once a second (as Node's http and most servers do)."""

    second = None
    text = b""

    @classmethod
    def now(cls):
        second = int(time.time())
        if second != cls.second:  # threads may race here: both write the same value
            cls.text, cls.second = formatdate(second, usegmt=True).encode(), second
        return cls.text


@dataclass
class Counters:
    connections: int = 0
    requests: int = 0
    streams: dict = field(default_factory=dict)  # asyncio: each open stream's writer -> its handler task
    lock: threading.Lock = field(default_factory=threading.Lock)  # threaded: guards requests


def respond(head):
    """The response to one request head, and whether to close the connection after it."""
    lines = head.split(b"\r\n")
    request_line = REQUEST_LINE.fullmatch(lines[0])
    if not request_line:
        return BAD_REQUEST, True
    method, version = request_line.groups()
    if method != b"GET":
        return NOT_ALLOWED % HttpDate.now(), True
    close = version == b"HTTP/1.0" or asks_to_close(lines[1:])
    return (HELLO_CLOSE if close else HELLO) % HttpDate.now(), close


def asks_to_close(header_lines):
    for line in header_lines:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"connection":
            return b"close" in value.lower()
    return False


async def hello_stream(reader, writer, counters):
    counters.connections += 1
    counters.streams[writer] = asyncio.current_task()
    try:
        close = False
        while not close:
            response, close = respond(await reader.readuntil(b"\r\n\r\n"))
            writer.write(response)
            counters.requests += 1
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass  # the client closed, sent a head over the 64 KiB limit, or reset: end this connection
    finally:
        writer.close()
        with suppress(ConnectionError):
            await writer.wait_closed()  # and retrieves a reset, which asyncio would log otherwise
        del counters.streams[writer]


async def listen_asyncio(host, port, counters, reuse_port=False):
    try:
        return await asyncio.start_server(lambda r, w: hello_stream(r, w, counters), host, port,
                                          backlog=LISTEN_BACKLOG, reuse_port=reuse_port)
    except OSError as error:
        listen_failed(host, port, error)


async def serve_asyncio(host, port):
    counters = Counters()
    server = await listen_asyncio(host, port, counters)
    await serve_until_term(server, counters.streams)
    emit("0", [], counters.requests, server_metrics(counters.connections))


def serve_one_core(host, port, announce):
    """One worker of ``asyncio-multicore``: the asyncio server on a port shared by every worker."""

    async def serve():
        counters = Counters()
        server = await listen_asyncio(host, port, counters, reuse_port=True)
        await serve_until_term(server, counters.streams, announce)
        return counters.requests, counters.connections

    return asyncio.run(serve())


def serve_every_core(host, port):
    requests, connections = serve_on_every_core(serve_one_core, host, port)
    emit("0", [], requests, server_metrics(connections))


def serve_aiohttp(host, port):
    """aiohttp.web with one handler; its runner stops on SIGTERM."""
    try:
        from aiohttp import web
    except ImportError:
        not_available("aiohttp is not installed (pip install aiohttp)")
    counters = Counters()

    async def hello(request):
        counters.requests += 1
        return web.Response(body=BODY, content_type="text/plain")

    async def serve():
        app = web.Application()
        app.router.add_get("/", hello)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, host, port, backlog=LISTEN_BACKLOG)
        try:
            await site.start()
        except OSError as error:
            listen_failed(host, port, error)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        ready(runner.addresses[0][1])
        await stop.wait()
        await runner.cleanup()

    asyncio.run(serve())
    emit("0", [], counters.requests, runtime_memory())  # aiohttp offers no count of connections


class HelloHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response must then carry Content-Length
    disable_nagle_algorithm = True  # headers and body go out in two writes: do not hold the second

    def do_GET(self):
        # The canonical bytes in one write: send_response() would add a Server header.
        self.wfile.write(HELLO % HttpDate.now())
        with self.server.counters.lock:
            self.server.counters.requests += 1

    def send_error(self, code, message=None, explain=None):
        """The canonical 400 or 405 (http.server answers an unknown method 501) instead of
        http.server's HTML error page, and the connection closed after it."""
        self.close_connection = True
        self.wfile.write(BAD_REQUEST if code == 400 else NOT_ALLOWED % HttpDate.now())

    def log_message(self, format, *args):
        pass  # no line on stderr per request


class HelloServer(CountingServer, ThreadingHTTPServer):
    handler = HelloHandler


HEAD_LIMIT = 65536  # asyncio's StreamReader limit: a longer head ends the connection there too


def read_head(rfile):
    """The request head up to and including its blank line; b"" if the client closed first."""
    lines, size = [], 0
    while (line := rfile.readline(HEAD_LIMIT)) not in (b"\r\n", b"\n"):
        size += len(line)
        if not line or size >= HEAD_LIMIT:
            return b""
        lines.append(line)
    return b"".join(lines) + line


class RawHelloHandler(socketserver.StreamRequestHandler):
    """``threads``: the asyncio server's loop on a blocking socket, one thread per connection."""

    disable_nagle_algorithm = True  # as asyncio and Node do

    def handle(self):
        counters, close = self.server.counters, False
        while not close and (head := read_head(self.rfile)):
            response, close = respond(head)
            self.wfile.write(response)
            with counters.lock:
                counters.requests += 1


class RawHelloServer(CountingServer, socketserver.ThreadingTCPServer):
    handler = RawHelloHandler


def serve_threads(host, port, server_class):
    counters = Counters()
    serve_threaded(server_class, host, port, counters)
    emit("0", [], counters.requests, server_metrics(counters.connections))


MODES = ("asyncio", "asyncio-multicore", "aiohttp", "threaded", "threads", "uvloop")
THREADED_SERVERS = {"threaded": HelloServer, "threads": RawHelloServer}


def main():
    args = parse_args({"host": "127.0.0.1", "port": 0, "mode": "asyncio"})
    if args["mode"] not in MODES:
        raise BadArgument(f"mode must be one of {list(MODES)}")
    if args["mode"] in THREADED_SERVERS:
        serve_threads(args["host"], args["port"], THREADED_SERVERS[args["mode"]])
        return
    if args["mode"] == "asyncio-multicore":
        serve_every_core(args["host"], args["port"])
        return
    if args["mode"] == "aiohttp":
        serve_aiohttp(args["host"], args["port"])
        return
    require_python((3, 11), "asyncio.Runner")
    with asyncio.Runner(loop_factory=loop_factory(args["mode"])) as runner:
        runner.run(serve_asyncio(args["host"], args["port"]))


if __name__ == "__main__":
    main()
