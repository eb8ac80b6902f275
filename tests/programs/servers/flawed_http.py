"""Test server: keep-alive HTTP hello with one flaw, chosen by `mode=`.

corrupt: every 1,000th response body has one wrong byte (the probe's, the first, is right).
stall:   the event loop stops for 100 ms every 500 ms, as a long GC pause would.
"""

import asyncio
import json
import signal
import sys
import time

BODY, WRONG = b"Hello, World!", b"Hello, World?"
args = dict(arg.split("=", 1) for arg in sys.argv[1:])
served = 0


async def hello(reader, writer):
    global served
    try:
        while await reader.readuntil(b"\r\n\r\n"):
            served += 1
            body = WRONG if args["mode"] == "corrupt" and served % 1000 == 0 else BODY
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n" + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def stall():
    while True:
        await asyncio.sleep(0.4)
        time.sleep(0.1)  # blocks the event loop: nothing is answered meanwhile


async def main():
    server = await asyncio.start_server(hello, "127.0.0.1", 0)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    stalls = asyncio.create_task(stall()) if args["mode"] == "stall" else None
    print(json.dumps({"ready": True, "port": server.sockets[0].getsockname()[1]}), flush=True)
    await stop.wait()
    if stalls:
        stalls.cancel()
    print(json.dumps({"checksum": "0", "work_s": [], "ops": served}), flush=True)


asyncio.run(main())
