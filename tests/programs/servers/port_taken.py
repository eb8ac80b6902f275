"""Test server: insists on a port that is already taken, and fails as a real server would."""

import socket
import sys

taken = socket.create_server(("127.0.0.1", 0))
try:
    socket.create_server(("127.0.0.1", taken.getsockname()[1]))
except OSError as error:
    sys.exit(f"error: cannot listen on 127.0.0.1:{taken.getsockname()[1]}: {error.strerror}")
