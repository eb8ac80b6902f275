"""Test server: keep-alive HTTP hello whose every 1,000th response body has one wrong byte."""

import asyncio
import json
import signal
import sys

BODY, WRONG = b"Hello, World!", b"Hello, World?"
served = 0


async def hello(reader, writer):
    global served
    try:
        while await reader.readuntil(b"\r\n\r\n"):
            served += 1
            body = WRONG if served % 1000 == 0 else BODY  # the probe's answer (the first) is right
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n" + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(hello, "127.0.0.1", 0)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(json.dumps({"ready": True, "port": server.sockets[0].getsockname()[1]}), flush=True)
    await stop.wait()
    print(json.dumps({"checksum": "0", "work_s": [], "ops": served}), flush=True)


tag = sys.argv[1]
asyncio.run(main())
