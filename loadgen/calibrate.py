#!/usr/bin/env python3
"""Measure loadgen's ceiling: each server pinned to core 0, the generator to core 1.

usage: python3 loadgen/calibrate.py [--duration S] [--repeats N] [--conns 1,16,64,256]
                                    [--servers c-echo,c-http,node-echo,node-http] [--no-wrk]
                                    [--nice]

Servers: ceiling_server.c (echo, http) and two inline Node servers (net echo, http hello).
For every server and connection count it runs loadgen N times and prints a Markdown table:
best and median requests/s, latency of the best run, the CPU each side spent per request,
the share of its core loadgen used (its own getrusage), and the busy share of both cores
over the run (anything else running on the machine included). "loadgen ceiling est." is
1e6 / (loadgen CPU us per request): the rate at which loadgen would fill its core.
With wrk installed, http servers are measured with wrk too (one thread, same connections).
"""
import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LOADGEN = os.path.join(HERE, "loadgen")
CEILING = os.path.join(HERE, "ceiling_server")
TICK = os.sysconf("SC_CLK_TCK")
PREFIX = []        # ["nice", "-n", "-20"] with --nice

NODE_ECHO = ("require('net').createServer(s => { s.on('error', () => {}); s.pipe(s); })"
             ".listen(+process.argv[1], '127.0.0.1')")
NODE_HTTP = ("require('http').createServer((q, r) => { r.writeHead(200, {'Content-Length': 13});"
             " r.end('Hello, World!'); }).listen(+process.argv[1], '127.0.0.1')")

SERVERS = {
    "c-echo": ("echo", lambda p: [CEILING, "--mode", "echo", "--port", str(p)]),
    "c-http": ("http", lambda p: [CEILING, "--mode", "http", "--port", str(p)]),
    "node-echo": ("echo", lambda p: ["node", "-e", NODE_ECHO, str(p)]),
    "node-http": ("http", lambda p: ["node", "-e", NODE_HTTP, str(p)]),
}


def build():
    for src, out, extra in (("loadgen.c", LOADGEN, ["-pthread"]),
                            ("ceiling_server.c", CEILING, [])):
        subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", *extra, "-o", out,
                        os.path.join(HERE, src)], check=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited early with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"server not listening on {port}")


def proc_cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK     # utime + stime, all threads


def core_ticks():
    """{core: (busy, total)} from /proc/stat."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            m = re.match(r"cpu(\d+) (.*)", line)
            if m:
                v = [int(x) for x in m.group(2).split()]
                total = sum(v[:8])
                out[int(m.group(1))] = (total - v[3] - v[4], total)
    return out


def busy_share(before, after, core):
    busy = after[core][0] - before[core][0]
    total = after[core][1] - before[core][1]
    return busy / total if total else 0.0


def run_loadgen(mode, port, conns, duration, server_pid):
    cmd = [*PREFIX, "taskset", "-c", "1", LOADGEN, "--mode", mode, "--port", str(port),
           "--connections", str(conns), "--duration", str(duration), "--warmup", "1"]
    cpu0, ticks0 = proc_cpu_s(server_pid), core_ticks()
    res = subprocess.run(cmd, capture_output=True, text=True)
    cpu1, ticks1 = proc_cpu_s(server_pid), core_ticks()
    if res.returncode != 0:
        print(f"loadgen exited {res.returncode}: {res.stdout.strip()} {res.stderr.strip()}",
              file=sys.stderr)
    d = json.loads(res.stdout)
    errors = {k: n for k, n in d["errors"].items() if n}
    d["gen_us_per_req"] = (d["cpu_user_s"] + d["cpu_sys_s"]) / max(d["requests"], 1) * 1e6
    d["srv_us_per_req"] = (cpu1 - cpu0) / max(d["requests_total"], 1) * 1e6
    d["core0"], d["core1"] = busy_share(ticks0, ticks1, 0), busy_share(ticks0, ticks1, 1)
    d["n_errors"] = errors
    return d


def run_wrk(port, conns, duration):
    cmd = [*PREFIX, "taskset", "-c", "1", "wrk", "-t1", f"-c{conns}",
           f"-d{max(1, round(duration))}s",
           f"http://127.0.0.1:{port}/"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(m.group(1)) if m else float("nan")


def measure_server(name, args):
    mode, argv = SERVERS[name]
    port = free_port()
    proc = subprocess.Popen([*PREFIX, "taskset", "-c", "0", *argv(port)],
                            stdout=subprocess.DEVNULL)
    rows = []
    try:
        wait_listening(port, proc)
        for conns in args.conns:
            runs = [run_loadgen(mode, port, conns, args.duration, proc.pid)
                    for _ in range(args.repeats)]
            best = max(runs, key=lambda d: d["requests_per_s"])
            wrk = (max(run_wrk(port, conns, args.duration) for _ in range(args.repeats))
                   if mode == "http" and args.wrk else None)
            rows.append((name, conns, runs, best, wrk))
            print_row(rows[-1], flush=True)
    finally:
        proc.terminate()
        proc.wait()
    return rows


HEADER = ("| server | conns | req/s best | req/s median | p50 us | p99 us | loadgen CPU us/req "
          "| loadgen core use | loadgen ceiling est. req/s | server CPU us/req | core0 busy "
          "| core1 busy | errors | wrk req/s |\n|" + "---|" * 14)


def error_text(runs):
    total = {}
    for d in runs:
        for kind, n in d["n_errors"].items():
            total[kind] = total.get(kind, 0) + n
    return ", ".join(f"{n} {kind}" for kind, n in total.items()) or "0"


def print_row(row, flush=False):
    name, conns, runs, best, wrk = row
    med = statistics.median(d["requests_per_s"] for d in runs)
    gen = statistics.median(d["gen_us_per_req"] for d in runs)
    srv = statistics.median(d["srv_us_per_req"] for d in runs)
    print(f"| {name} | {conns} | {best['requests_per_s']:.0f} | {med:.0f} "
          f"| {best['latency_us']['p50']:.1f} | {best['latency_us']['p99']:.1f} "
          f"| {gen:.2f} | {best['cpu_util']:.0%} | {1e6 / gen:.0f} | {srv:.2f} "
          f"| {best['core0']:.0%} | {best['core1']:.0%} | {error_text(runs)} "
          f"| {'' if wrk is None else f'{wrk:.0f}'} |", flush=flush)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--conns", default="1,16,64,256")
    ap.add_argument("--servers", default=",".join(SERVERS))
    ap.add_argument("--no-wrk", dest="wrk", action="store_false")
    ap.add_argument("--nice", action="store_true",
                    help="run server, loadgen and wrk at nice -20 (root), to shield the "
                         "measurement from other work on a shared machine")
    args = ap.parse_args()
    if args.nice:
        PREFIX[:] = ["nice", "-n", "-20"]
    args.conns = [int(c) for c in args.conns.split(",")]
    args.wrk = args.wrk and subprocess.run(["which", "wrk"], capture_output=True).returncode == 0
    if os.cpu_count() < 2:
        sys.exit("needs at least 2 cores")
    build()
    print(HEADER, flush=True)
    for name in args.servers.split(","):
        measure_server(name, args)


if __name__ == "__main__":
    main()
