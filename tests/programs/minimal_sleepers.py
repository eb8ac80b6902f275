"""The least a program can do to keep ``tasks`` asyncio tasks asleep for ``sleep_ms`` at once:
the yardstick that python/async/sleepers.py's memory is held against. Usage: tasks=N sleep_ms=M."""

import asyncio
import sys


async def main(tasks, delay):
    await asyncio.gather(*(asyncio.sleep(delay) for _ in range(tasks)))


if __name__ == "__main__":
    args = dict(arg.split("=", 1) for arg in sys.argv[1:])
    asyncio.run(main(int(args["tasks"]), int(args["sleep_ms"]) / 1000))
