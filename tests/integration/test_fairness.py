"""Fairness between the languages: the programs measure the same thing the same way.

- every kit lets go of one iteration's result before the next begins;
- bytes per object come from the settled heap, close to what each runtime's object layout says;
- every standard-library HTTP server sends the same bytes (apart from the Date value) and turns
  away a malformed request line the same way;
- the sleepers programs hold little beyond what a minimal program holds for the same sleeps.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys

import pytest

from harness import catalogue, runtimes
from tests.conftest import PROGRAMS, ROOT, require_runtime

CATALOGUE = catalogue.load()


@pytest.fixture(scope="module")
def lab(toolchain):
    """This machine's runtimes, with the lab's Java sources compiled."""
    if "java" in toolchain.runtimes:
        runtimes.compile_java(toolchain, {p.root for w in CATALOGUE.workloads.values() for p in w.programs
                                          if p.language == "java" and not p.not_applicable})
    return toolchain


def final_line(argv, env=None, timeout=120) -> dict:
    """Run a protocol program to its end; its final JSON line."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def program(workload, language, variant):
    return next(p for p in CATALOGUE.workloads[workload].programs if (p.language, p.variant) == (language, variant))


# ------------------------------------------------------------------ results are let go of


def kit_release_argv(toolchain, language, tmp_path):
    runtime = toolchain.runtimes[language]
    if language == "python":
        return [str(runtime.executable), str(PROGRAMS / "kit_release.py")]
    if language == "node":
        return [str(runtime.executable), "--expose-gc", str(PROGRAMS / "kit_release.js")]
    classes = tmp_path / "classes"
    subprocess.run([str(runtime.compiler), "-d", str(classes), "-sourcepath", str(ROOT / "java" / "src"),
                    str(PROGRAMS / "KitRelease.java")], check=True, capture_output=True)
    return [str(runtime.executable), "-cp", str(classes), "KitRelease"]


@pytest.mark.parametrize("language", ["python", "java", "node"])
def test_the_previous_iterations_result_is_unreachable_when_the_next_starts(toolchain, language, tmp_path):
    require_runtime(toolchain, language)
    metrics = final_line(kit_release_argv(toolchain, language, tmp_path))["metrics"]
    first, second = metrics["heap_at_start"][:2]
    assert second - first < metrics["result_bytes"] / 4, metrics


# ------------------------------------------------------------------ bytes per object


def python_layout_bytes(python, mode) -> float:
    """What a record costs by CPython's layout: each object's size with its collector header
    (sys.getsizeof) rounded up to pymalloc's 16-byte classes, plus the list's 8-byte slot."""
    code = f"""
import sys
sys.path.insert(0, {str(ROOT / "python")!r}); sys.argv = ["x"]
from memory.object_footprint import MODES
record = MODES[{mode!r}](100_000, 50_000.5)
print(sum(-(-sys.getsizeof(part) // 16) * 16 for part in (record, 100_000, 50_000.5)) + 8)
"""
    return float(subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout)


# Java: a 12-byte header (compressed class pointers), an int and a double, aligned to 8 = 24 bytes,
# and a 4-byte compressed reference in the ArrayList. Node 20: a JSObject of map, properties and
# elements plus two in-object fields (5 × 8 = 40 bytes), the double boxed in a 16-byte HeapNumber,
# and an 8-byte slot in the Array (no pointer compression).
LAYOUT_BYTES = {("java", "class"): 24 + 4, ("node", "object"): 40 + 16 + 8}


@pytest.mark.parametrize("language, variant", [("python", "slots"), ("python", "dataclass"), ("python", "tuple"),
                                               ("java", "class"), ("node", "object")])
def test_bytes_per_object_match_the_layout_within_ten_percent(lab, language, variant):
    require_runtime(lab, language)
    chosen = program("object_footprint", language, variant)
    argv, env = lab.launch(chosen, {"n": 200_000, "iterations": 1, **chosen.args})
    measured = final_line(argv, env)["metrics"]["bytes_per_object"]
    layout = LAYOUT_BYTES.get((language, variant)) or python_layout_bytes(str(lab.runtimes["python"].executable), variant)
    # The list's spare capacity from growing adds up to half a slot (Java and V8 grow by 1.5).
    assert abs(measured / layout - 1) < 0.10, (measured, layout)


# ------------------------------------------------------------------ HTTP servers

CANONICAL = re.compile(rb"HTTP/1\.1 200 OK\r\nDate: (?P<date>[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)\r\n"
                       rb"Content-type: text/plain\r\nContent-length: 13\r\n\r\nHello, World!")
PRODUCTION_SERVERS = {"aiohttp"}  # each production server sends its own headers: a named variant
BASELINE_SERVERS = [(p.language, p.variant) for p in CATALOGUE.workloads["http_hello"].programs
                    if p.variant not in PRODUCTION_SERVERS and not p.not_applicable]


class Served:
    """A server program of the catalogue, started on a free port and stopped at the end."""

    def __init__(self, toolchain, chosen):
        argv, env = toolchain.launch(chosen, {"host": "127.0.0.1", "port": 0, **chosen.args})
        self.process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        line = self.process.stdout.readline()
        if not line:
            said = self.process.stderr.read().decode()
            if self.process.wait(timeout=20) == 3 and "not available:" in said:
                pytest.skip(said.strip().splitlines()[-1])  # a variant this Python cannot run (uvloop missing)
            raise AssertionError(said)
        self.port = json.loads(line)["port"]

    def connect(self) -> socket.socket:
        """A connection to the server; a reply that does not come in 10 s fails the test."""
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def stop(self):
        self.process.terminate()
        self.process.communicate(timeout=20)


def read_response(connection: socket.socket) -> bytes:
    """One whole HTTP response: its head, then as many body bytes as its Content-length says."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, f"the connection closed in the middle of a response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?im)^content-length: *(\d+)", head)[1])
    while len(body) < length:
        chunk = connection.recv(65536)
        assert chunk, f"the connection closed in the middle of a body: {data!r}"
        body += chunk
    return head + b"\r\n\r\n" + body


def read_to_close(connection: socket.socket) -> bytes:
    """Everything until the server closes the connection (a server that keeps it open times out)."""
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    return data




@pytest.mark.parametrize("language, variant", BASELINE_SERVERS)
def test_every_standard_server_sends_the_same_bytes_and_refuses_a_bad_request_line(lab, language, variant):
    require_runtime(lab, language)
    chosen = program("http_hello", language, variant)
    if runtimes.skip_reason(lab, chosen):
        pytest.skip(runtimes.skip_reason(lab, chosen))
    server = Served(lab, chosen)
    try:
        # Keep-alive, checked by the protocol: a second request on the same connection is answered too.
        with server.connect() as connection:
            for _ in range(2):
                connection.sendall(b"GET / HTTP/1.1\r\nHost: lab\r\n\r\n")
                answer = read_response(connection)
                assert CANONICAL.fullmatch(answer), answer
        # A bad request line: a 400, then the server closes the connection.
        with server.connect() as connection:
            connection.sendall(b"garbage\r\n\r\n")
            answer = read_to_close(connection)
        assert answer.startswith(b"HTTP/1.1 400 "), answer
    finally:
        server.stop()


# ------------------------------------------------------------------ sleepers' bookkeeping


def peak_rss_kib(argv) -> int:
    """The peak RSS of one process (and its threads), from the kernel's accounting at exit."""
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT / "python")})
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, process.stderr.read().decode()
    process.stderr.close()
    return usage.ru_maxrss


SLEEPERS = {"python": ("python/async/sleepers.py", "minimal_sleepers.py"), "node": ("node/async/sleepers.js", "minimal_sleepers.js")}


@pytest.mark.parametrize("language", sorted(SLEEPERS))
def test_sleepers_hold_within_ten_percent_of_a_minimal_program(toolchain, language):
    require_runtime(toolchain, language)
    runtime = str(toolchain.runtimes[language].executable)
    lab_program, minimal = SLEEPERS[language]
    arguments = ["tasks=50000", "sleep_ms=2000"]
    lab_kib = peak_rss_kib([runtime, str(ROOT / lab_program), *arguments])
    minimal_kib = peak_rss_kib([runtime, str(PROGRAMS / minimal), *arguments])
    assert lab_kib <= 1.10 * minimal_kib, (lab_kib, minimal_kib)


def test_python_kit_reads_the_allocators_heap():
    """The heap reading grows by what a new list of a million references costs, and no more."""
    code = f"""
import sys; sys.path.insert(0, {str(ROOT / "python")!r})
from labkit import settled_heap_in_use
before = settled_heap_in_use(); held = [None] * 1_000_000; after = settled_heap_in_use()
print(after - before)
"""
    grown = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert 8_000_000 <= grown < 8_300_000, grown
