"""Ask a server one thing and print a hash of its answer: equal servers print equal checksums.

    python3 harness/probe.py echo|http PORT

sends one line to an echo server, or ``GET /`` to an HTTP server, on 127.0.0.1:PORT, and prints
``{"checksum": "<16 hex>"}`` (for HTTP also ``"body"``, the text every response under load must
repeat); on a wrong or missing answer it prints the reason on stderr and exits 1. Standard library only and no harness imports: it runs beside the server wherever the
server runs, from the harness on this machine or from the tools image beside a container.
"""

import hashlib
import http.client
import json
import socket
import sys

ECHO_PROBE = b"runtime-lab probe: every byte must come back\n"
TIMEOUT_S = 5
MAX_BODY = 4096  # a body the load generator can be asked to check on every response


class ProbeError(Exception):
    """A server that answered the probe wrongly or not at all."""


def probe(protocol: str, port: int) -> dict:
    """The checksum of the server's answer (and an HTTP body short, printable text), or ProbeError."""
    try:
        answer = _probe_echo(port) if protocol == "echo" else _probe_http(port)
    except (OSError, http.client.HTTPException) as error:
        raise ProbeError(f"the probe request failed: {error}") from None
    found = {"checksum": hashlib.sha256(answer).hexdigest()[:16]}
    if protocol == "http" and len(answer) <= MAX_BODY and answer.isascii() and answer.decode().isprintable():
        found["body"] = answer.decode()
    return found


def _probe_echo(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as connection:
        connection.sendall(ECHO_PROBE)
        received = b""
        while len(received) < len(ECHO_PROBE):
            chunk = connection.recv(4096)
            if not chunk:
                raise ProbeError(f"the echo closed after {len(received)} of {len(ECHO_PROBE)} bytes")
            received += chunk
    return received


def _probe_http(port: int) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        connection.request("GET", "/")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise ProbeError(f"GET / answered {response.status}")
    return body


def main(argv) -> int:
    if len(argv) != 2 or argv[0] not in ("echo", "http") or not argv[1].isdigit():
        print("usage: probe.py echo|http PORT", file=sys.stderr)
        return 2
    try:
        print(json.dumps(probe(argv[0], int(argv[1]))))
    except ProbeError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
