"""TCP echo server: every byte a connection sends comes straight back, on many connections at once.

Each connection does almost no work, so what is measured is the event loop itself: readiness
polling, the socket calls, and what each open connection costs in memory.

``streams`` is asyncio.start_server with StreamReader/StreamWriter: read up to 64 KiB, write it,
and await drain(), so a client that does not read what it is sent stops being read from.
``protocol`` is an asyncio.Protocol: data_received writes to the transport, and the transport's
flow control (pause_writing) pauses reading for the same bound. ``uvloop`` is ``streams`` on
uvloop's libuv-based event loop (``pip install uvloop``). ``streams-multicore`` is ``streams`` in
one process per core, sharing the port through SO_REUSEPORT (as Node's cluster module shares
it). ``threads`` is the classic server
without an event loop: socketserver.ThreadingTCPServer, an OS thread per connection doing
blocking recv and sendall.

A server program: it prints {"ready": true, "port": N} once listening, serves until SIGTERM,
then prints the final line. A stream has no messages, so ops = bytes echoed.
"""

import asyncio
import socket
import socketserver
import threading
from contextlib import suppress
from dataclasses import dataclass, field

from labkit import (
    LISTEN_BACKLOG,
    BadArgument,
    CountingServer,
    emit,
    listen_failed,
    loop_factory,
    parse_args,
    require_python,
    serve_on_every_core,
    serve_threaded,
    serve_until_term,
    server_metrics,
)

READ_BYTES = 65536


@dataclass
class Counters:
    connections: int = 0
    echoed: int = 0
    streams: dict = field(default_factory=dict)  # asyncio: each open stream's writer -> its handler task
    lock: threading.Lock = field(default_factory=threading.Lock)  # threads: guards echoed


async def echo_stream(reader, writer, counters):
    counters.connections += 1
    counters.streams[writer] = asyncio.current_task()
    try:
        while data := await reader.read(READ_BYTES):
            writer.write(data)
            await writer.drain()
            counters.echoed += len(data)
    except ConnectionError:
        pass  # a reset by the peer ends only this connection
    finally:
        writer.close()
        with suppress(ConnectionError):
            await writer.wait_closed()  # and retrieves a reset, which asyncio would log otherwise
        del counters.streams[writer]


class EchoProtocol(asyncio.Protocol):
    def __init__(self, counters):
        self.counters = counters
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        self.counters.connections += 1

    def data_received(self, data):
        self.transport.write(data)
        self.counters.echoed += len(data)

    # The transport calls these as its write buffer crosses the high and low water marks.
    def pause_writing(self):
        self.transport.pause_reading()

    def resume_writing(self):
        self.transport.resume_reading()


def start_streams(host, port, counters, reuse_port=False):
    return asyncio.start_server(lambda r, w: echo_stream(r, w, counters), host, port, backlog=LISTEN_BACKLOG,
                                reuse_port=reuse_port)


def start_protocol(host, port, counters):
    loop = asyncio.get_running_loop()
    return loop.create_server(lambda: EchoProtocol(counters), host, port, backlog=LISTEN_BACKLOG)


async def serve(start, host, port):
    counters = Counters()
    try:
        server = await start(host, port, counters)
    except OSError as error:
        listen_failed(host, port, error)
    await serve_until_term(server, counters.streams)
    emit("0", [], counters.echoed, server_metrics(counters.connections))


def serve_one_core(host, port, announce):
    """One worker of ``streams-multicore``: the streams server on a port shared by every worker."""

    async def serve():
        counters = Counters()
        try:
            server = await start_streams(host, port, counters, reuse_port=True)
        except OSError as error:
            listen_failed(host, port, error)
        await serve_until_term(server, counters.streams, announce)
        return counters.echoed, counters.connections

    return asyncio.run(serve())


def serve_every_core(host, port):
    echoed, connections = serve_on_every_core(serve_one_core, host, port)
    emit("0", [], echoed, server_metrics(connections))


class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        connection, counters = self.request, self.server.counters
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as asyncio and Node do
        while data := connection.recv(READ_BYTES):
            connection.sendall(data)  # blocks while the client is not reading: the same bound
            with counters.lock:
                counters.echoed += len(data)


class EchoServer(CountingServer, socketserver.ThreadingTCPServer):
    handler = EchoHandler


def serve_threads(host, port):
    counters = Counters()
    serve_threaded(EchoServer, host, port, counters)
    with counters.lock:
        echoed = counters.echoed
    emit("0", [], echoed, server_metrics(counters.connections))


MODES = {"streams": start_streams, "protocol": start_protocol, "uvloop": start_streams, "threads": None,
         "streams-multicore": None}


def main():
    args = parse_args({"host": "127.0.0.1", "port": 0, "mode": "streams"})
    if args["mode"] not in MODES:
        raise BadArgument(f"mode must be one of {sorted(MODES)}")
    if args["mode"] == "threads":
        serve_threads(args["host"], args["port"])
        return
    if args["mode"] == "streams-multicore":
        serve_every_core(args["host"], args["port"])
        return
    require_python((3, 11), "asyncio.Runner")
    with asyncio.Runner(loop_factory=loop_factory(args["mode"])) as runner:
        runner.run(serve(MODES[args["mode"]], args["host"], args["port"]))


if __name__ == "__main__":
    main()
