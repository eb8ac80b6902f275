"""Test server: a working echo server that dies two seconds after it is ready, in the middle of its load."""

import asyncio
import json
import os
import sys


async def echo(reader, writer):
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()


async def main():
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    print(json.dumps({"ready": True, "port": server.sockets[0].getsockname()[1]}), flush=True)
    await asyncio.sleep(2.0)  # the probe and the start of the 3 s load window, with room for a slow harness
    os._exit(9)


tag = sys.argv[1]
asyncio.run(main())
