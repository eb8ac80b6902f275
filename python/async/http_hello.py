"""HTTP hello server: keep-alive HTTP/1.1, every GET answers 200 "Hello, World!".

The smallest useful request-response server: the cost per request of parsing a request head,
writing a response and going back to wait on the connection, with many connections at once.

``asyncio`` is a minimal HTTP/1.1 server on asyncio streams: read the head up to the blank
line, answer, keep the connection open unless the client sent ``Connection: close`` (or spoke
HTTP/1.0). It reads no request bodies, so any method but GET is answered 405 and the connection
closed. ``uvloop`` is the same server on uvloop's libuv-based event loop (``pip install uvloop``).
``threaded`` is the standard library's http.server.ThreadingHTTPServer: one thread per
connection, blocking reads; protocol_version HTTP/1.1 keeps connections alive. ``threads`` is the
``asyncio`` server's own minimal parser and responses on socketserver.ThreadingTCPServer, an OS
thread per connection: set against ``asyncio`` it differs only in threads against an event loop,
while ``threaded`` also pays for http.server's header parsing.

A server program: it prints {"ready": true, "port": N} once listening, serves until SIGTERM,
then prints the final line with ops = requests served.
"""

import asyncio
import socketserver
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from labkit import (LISTEN_BACKLOG, BadArgument, CountingServer, emit, listen_failed, loop_factory, parse_args,
                    serve_threaded, serve_until_term, server_metrics)

BODY = b"Hello, World!"
HELLO = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n" + BODY
HELLO_CLOSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\n" + BODY
NOT_ALLOWED = b"HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@dataclass
class Counters:
    connections: int = 0
    requests: int = 0
    streams: dict = field(default_factory=dict)  # asyncio: each open stream's writer -> its handler task
    lock: threading.Lock = field(default_factory=threading.Lock)  # threaded: guards requests


def respond(head):
    """The response to one request head, and whether to close the connection after it."""
    lines = head.split(b"\r\n")
    request_line = lines[0].split()
    if len(request_line) != 3 or not request_line[2].startswith(b"HTTP/1."):
        return BAD_REQUEST, True
    method, _, version = request_line
    if method != b"GET":
        return NOT_ALLOWED, True
    close = version == b"HTTP/1.0" or asks_to_close(lines[1:])
    return (HELLO_CLOSE if close else HELLO), close


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


async def serve_asyncio(host, port):
    counters = Counters()
    try:
        server = await asyncio.start_server(lambda r, w: hello_stream(r, w, counters), host, port, backlog=LISTEN_BACKLOG)
    except OSError as error:
        listen_failed(host, port, error)
    await serve_until_term(server, counters.streams)
    emit("0", [], counters.requests, server_metrics(counters.connections))


class HelloHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response must then carry Content-Length
    disable_nagle_algorithm = True  # headers and body go out in two writes: do not hold the second

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)
        with self.server.counters.lock:
            self.server.counters.requests += 1

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


MODES = ("asyncio", "threaded", "threads", "uvloop")
THREADED_SERVERS = {"threaded": HelloServer, "threads": RawHelloServer}


def main():
    args = parse_args({"host": "127.0.0.1", "port": 0, "mode": "asyncio"})
    if args["mode"] not in MODES:
        raise BadArgument(f"mode must be one of {list(MODES)}")
    if args["mode"] in THREADED_SERVERS:
        serve_threads(args["host"], args["port"], THREADED_SERVERS[args["mode"]])
        return
    with asyncio.Runner(loop_factory=loop_factory(args["mode"])) as runner:
        runner.run(serve_asyncio(args["host"], args["port"]))


if __name__ == "__main__":
    main()
