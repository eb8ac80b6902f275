"""Test server: keep-alive HTTP hello that stops everything for 100 ms every 500 ms (a GC pause, say)."""

import asyncio
import json
import signal
import sys
import time

served = 0


async def hello(reader, writer):
    global served
    try:
        while await reader.readuntil(b"\r\n\r\n"):
            served += 1
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!")
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
    stalls = asyncio.create_task(stall())
    print(json.dumps({"ready": True, "port": server.sockets[0].getsockname()[1]}), flush=True)
    await stop.wait()
    stalls.cancel()
    print(json.dumps({"checksum": "0", "work_s": [], "ops": served}), flush=True)


tag = sys.argv[1]
asyncio.run(main())
